package io.customerstudio.app.splits.api;

import io.customerstudio.app.splits.HoldoutLog;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * The holdout log: the members runs kept out because their split group is a holdout, as JSON pages
 * and as CSV. It lives in the warehouse ({@code studio.governance.log-schema}, default {@code
 * cs_logs}, table {@code holdout_log}) for analysts to join with outcomes.
 */
@RestController
@Tag(
    name = "Holdout log",
    description =
        "Members held out of deliveries by their split group, per run and per audience; also the"
            + " warehouse table <studio.governance.log-schema>.holdout_log (default"
            + " cs_logs.holdout_log)")
class HoldoutsController {

  private final HoldoutLog log;

  HoldoutsController(HoldoutLog log) {
    this.log = log;
  }

  @GetMapping("/api/v1/runs/{runId}/holdouts")
  @Operation(
      summary = "The members a run held out, by member key",
      description =
          "[{syncKey, runId, audience, group, memberKey, loggedAt}] ordered by memberKey; after:"
              + " the last memberKey of the previous page; limit 1 to 1000 (default 100); group:"
              + " only that group. 404 for an unknown run.")
  List<HoldoutLog.Entry> run(
      @PathVariable String runId,
      @RequestParam(required = false) String group,
      @RequestParam(defaultValue = "100") int limit,
      @RequestParam(required = false) String after) {
    return log.forRun(runId, group, limit, after);
  }

  @GetMapping(value = "/api/v1/runs/{runId}/holdouts.csv", produces = "text/csv")
  @Operation(summary = "Every member a run held out, as CSV (streamed)")
  ResponseEntity<StreamingResponseBody> runCsv(
      @PathVariable String runId, @RequestParam(required = false) String group) {
    // checks the run before the response starts: an unknown run is a 404, not a broken stream
    log.forRun(runId, group, 1, null);
    return csv("holdouts-run-" + runId, w -> log.writeRunCsv(runId, group, w));
  }

  @GetMapping("/api/v1/audiences/{key}/holdouts")
  @Operation(
      summary = "An audience's holdout log, newest first",
      description =
          "[{syncKey, runId, audience, group, memberKey, loggedAt}] ordered by loggedAt"
              + " descending, then runId and memberKey. Filters: group, sync (a sync key), since"
              + " (ISO-8601: entries logged at or after it). after: the last entry's loggedAt,"
              + " runId and memberKey joined by commas (2026-11-01T06:00:00.123Z,run,key); the"
              + " answer's X-Next-After header carries it when the page is full. limit 1 to 1000"
              + " (default 100). 404 for an unknown audience.")
  ResponseEntity<List<HoldoutLog.Entry>> audience(
      @PathVariable String key,
      @RequestParam(required = false) String group,
      @RequestParam(required = false) String sync,
      @RequestParam(required = false) String since,
      @RequestParam(defaultValue = "100") int limit,
      @RequestParam(required = false) String after) {
    List<HoldoutLog.Entry> page =
        log.forAudience(
            key, new HoldoutLog.Filter(group, sync, HoldoutLog.since(since)), limit, after);
    ResponseEntity.BodyBuilder ok = ResponseEntity.ok();
    if (!page.isEmpty() && page.size() == limit) {
      ok.header("X-Next-After", HoldoutLog.cursor(page.get(page.size() - 1)));
    }
    return ok.body(page);
  }

  @GetMapping(value = "/api/v1/audiences/{key}/holdouts.csv", produces = "text/csv")
  @Operation(summary = "An audience's holdout log (same filters), as CSV (streamed)")
  ResponseEntity<StreamingResponseBody> audienceCsv(
      @PathVariable String key,
      @RequestParam(required = false) String group,
      @RequestParam(required = false) String sync,
      @RequestParam(required = false) String since) {
    HoldoutLog.Filter filter = new HoldoutLog.Filter(group, sync, HoldoutLog.since(since));
    log.forAudience(key, filter, 1, null);
    return csv("holdouts-" + key, w -> log.writeAudienceCsv(key, filter, w));
  }

  private static ResponseEntity<StreamingResponseBody> csv(
      String name, Function<java.io.Writer, Long> write) {
    StreamingResponseBody body =
        out -> {
          BufferedWriter w =
              new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
          write.apply(w);
          w.flush();
        };
    return ResponseEntity.ok()
        .header(
            HttpHeaders.CONTENT_DISPOSITION,
            "attachment; filename=\"" + name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".csv\"")
        .contentType(MediaType.parseMediaType("text/csv"))
        .body(body);
  }
}
