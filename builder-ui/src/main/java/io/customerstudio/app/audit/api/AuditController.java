package io.customerstudio.app.audit.api;

import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.audit.AuditLog;
import io.customerstudio.query.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The audit log, read-only (ADMIN only; enforced by the API filter chain). */
@RestController
@RequestMapping("/api/v1/audit")
@Tag(
    name = "Audit",
    description =
        "Every change to a governed thing (schema, traits, audiences, templates, splits, priority"
            + " lists, consent, subset categories, destinations, syncs, journeys, users, tokens):"
            + " who, when, what and how, with the thing before and after as the API shows it."
            + " Secrets never appear (admin only).")
class AuditController {

  private final AuditLog log;

  AuditController(AuditLog log) {
    this.log = log;
  }

  @GetMapping
  @Operation(
      summary = "List audit entries, oldest first",
      description =
          "A JSON array of {id, at, actor, entity, key, action, before, after}; before and after"
              + " are JSON values, null for a creation's before and a deletion's after. Page by"
              + " passing the last id of a page as `after`. Actions: create, update, delete,"
              + " restore, revoke, rotate (a new sync trigger secret), retry (a journey's rejected sends queued again). 400 names the parameter at"
              + " fault; 403 for non-admins.")
  List<AuditLog.Entry> list(
      @Parameter(
              description =
                  "schema, trait, audience, template, split, priority_list, consent,"
                      + " subset_category, destination, sync, journey, user or token")
          @RequestParam(required = false)
          String entity,
      @Parameter(
              description =
                  "the thing's key: an audience's key, \"schema\", a trait's \"<model>.<trait>\","
                      + " a user's name, a token's id")
          @RequestParam(required = false)
          String key,
      @Parameter(description = "the username who made the change (\"system\" for the app itself)")
          @RequestParam(required = false)
          String actor,
      @Parameter(
              description =
                  "a cursor: an entry id (entries after it) or an ISO-8601 instant such as"
                      + " 2026-12-01T09:00:00Z (entries made after it; encode a '+' offset as"
                      + " %2B)")
          @RequestParam(required = false)
          String after,
      @Parameter(description = "at most this many entries: 1 to 1000, default 100")
          @RequestParam(required = false)
          String limit) {
    Problems found = new Problems();
    AuditLog.Query query = AuditQueryReader.read(entity, key, actor, after, limit, found);
    if (query == null) {
      throw ApiException.invalid(
          found.list().stream()
              .map(p -> new ApiException.FieldError(p.path(), p.message()))
              .toList());
    }
    return log.list(query);
  }
}
