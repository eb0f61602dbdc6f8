package io.customerstudio.app.templates;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.api.Json;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.infra.store.TemplateStore;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceJson;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;

/**
 * Saved reusable conditions with {"param": name} placeholders where values go. Its structure is
 * checked at save (every placeholder declared, every declared parameter used); its columns and
 * values are checked where an audience uses it, against that audience's parent model.
 */
@Service
public class TemplateService {

  static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");
  static final Pattern PARAM = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  public record TemplateView(
      String key,
      String name,
      String description,
      List<String> params,
      JsonNode condition,
      int version,
      String updatedBy,
      OffsetDateTime updatedAt,
      List<String> usedBy) {}

  private final TemplateStore templates;
  private final AudienceService audiences;
  private final AuditTrail audit;

  public TemplateService(TemplateStore templates, AudienceService audiences, AuditTrail audit) {
    this.templates = templates;
    this.audiences = audiences;
    this.audit = audit;
  }

  public List<TemplateView> list() {
    // one pass over the audiences for all templates, not one per template
    java.util.Map<String, List<String>> usage = audiences.templateUsage();
    return templates.list().stream()
        .map(t -> view(t, usage.getOrDefault(t.key(), List.of())))
        .toList();
  }

  public TemplateView get(String key) {
    return view(
        templates
            .find(key)
            .orElseThrow(() -> ApiException.notFound("Template '" + key + "' not found")),
        audiences.usingTemplate(key));
  }

  public TemplateView save(
      String key,
      String name,
      String description,
      List<String> params,
      JsonNode condition,
      String user) {
    List<ApiException.FieldError> errors = new ArrayList<>();
    if (key == null || !KEY.matcher(key).matches()) {
      errors.add(
          new ApiException.FieldError(
              "$.key", "use 1 to 100 lower-case letters, digits, '-' or '_'"));
    }
    if (name == null || name.isBlank() || name.length() > 200) {
      errors.add(new ApiException.FieldError("$.name", "give a name of 1 to 200 characters"));
    }
    List<String> declared = params == null ? List.of() : params;
    for (int i = 0; i < declared.size(); i++) {
      if (declared.get(i) == null || !PARAM.matcher(declared.get(i)).matches()) {
        errors.add(
            new ApiException.FieldError("$.params[" + i + "]", "use letters, digits and '_'"));
      }
    }
    if (condition == null || !condition.isObject()) {
      errors.add(new ApiException.FieldError("$.condition", "is required: a condition object"));
    } else {
      Problems problems = new Problems();
      AudienceJson.readCondition(condition, "$.condition", problems);
      problems.list().forEach(p -> errors.add(new ApiException.FieldError(p.path(), p.message())));
      Set<String> used = new LinkedHashSet<>();
      placeholders(condition, used);
      for (String u : used) {
        if (!declared.contains(u)) {
          errors.add(
              new ApiException.FieldError(
                  "$.condition", "uses {\"param\": \"" + u + "\"}, which is not in params"));
        }
      }
      for (int i = 0; i < declared.size(); i++) {
        if (!used.contains(declared.get(i))) {
          errors.add(
              new ApiException.FieldError(
                  "$.params[" + i + "]",
                  "\"" + declared.get(i) + "\" is never used in the condition"));
        }
      }
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    TemplateView before = find(key);
    TemplateView saved =
        view(
            templates.save(
                key,
                new TemplateStore.Draft(
                    name.strip(), description, Json.write(declared), condition.toString()),
                user),
            audiences.usingTemplate(key));
    audit.record(
        user,
        AuditTrail.Entity.TEMPLATE,
        key,
        before == null ? AuditTrail.Action.CREATE : AuditTrail.Action.UPDATE,
        before,
        saved);
    return saved;
  }

  public void delete(String key, String user) {
    TemplateView before = get(key);
    List<String> users = audiences.usingTemplate(key);
    if (!users.isEmpty()) {
      throw ApiException.conflict("Template '" + key + "' is used by audience(s) " + users);
    }
    templates.delete(key);
    audit.record(user, AuditTrail.Entity.TEMPLATE, key, AuditTrail.Action.DELETE, before, null);
  }

  /** A template as the API shows it, or null when there is none by that key. */
  public TemplateView find(String key) {
    return templates.find(key).map(t -> view(t, audiences.usingTemplate(key))).orElse(null);
  }

  private static void placeholders(JsonNode n, Set<String> out) {
    if (n.isObject() && n.size() == 1 && n.has("param") && n.get("param").isTextual()) {
      out.add(n.get("param").asText());
      return;
    }
    n.elements().forEachRemaining(x -> placeholders(x, out));
  }

  private TemplateView view(TemplateStore.Template t, List<String> usedBy) {
    List<String> params = new ArrayList<>();
    Json.parse(t.params()).forEach(p -> params.add(p.asText()));
    return new TemplateView(
        t.key(),
        t.name(),
        t.description(),
        params,
        Json.parse(t.condition()),
        t.version(),
        t.updatedBy(),
        t.updatedAt(),
        usedBy);
  }
}
