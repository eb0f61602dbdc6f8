package io.customerstudio.app.syncs.api;

import io.customerstudio.app.syncs.SyncRuns;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/runs")
@Tag(
    name = "Runs",
    description =
        "Sync runs: status (queued, querying, diffing, delivering, succeeded,"
            + " succeeded_with_errors, failed, interrupted, cancelled), counts, phase timings,"
            + " rejected rows, replay and cancel.")
class RunsController {

  private final SyncRuns runs;

  RunsController(SyncRuns runs) {
    this.runs = runs;
  }

  @GetMapping("/{runId}")
  SyncRuns.RunView get(@PathVariable String runId) {
    return runs.runView(runId);
  }

  @GetMapping("/{runId}/errors")
  @Operation(summary = "Rows the destination rejected (kept 7 days by default)")
  List<SyncRuns.RowError> errors(
      @PathVariable String runId,
      @RequestParam(defaultValue = "0") int offset,
      @RequestParam(defaultValue = "100") int limit) {
    return runs.errors(runId, offset, limit);
  }

  @GetMapping("/{runId}/exclusions")
  @Operation(
      summary = "Members the run did not send, with the first reason",
      description =
          "Ordered by key; `after` is the last key of the previous page. Reasons, in the order"
              + " they are applied: subset, consent, rule, priority, split (a split group this"
              + " sync does not deliver), holdout, identifier (no identifier, or another member"
              + " has the same one). Kept as long as the run's records"
              + " (studio.sync.run-retention).")
  List<SyncRuns.Exclusion> exclusions(
      @PathVariable String runId,
      @RequestParam(required = false) String reason,
      @RequestParam(required = false) String after,
      @RequestParam(defaultValue = "100") int limit) {
    return runs.exclusions(runId, reason, after, limit);
  }

  @PostMapping("/{runId}/replay")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(
      summary = "Resume a failed or interrupted run",
      description =
          "Only the sync's newest run; batches that were delivered are not sent again. 409 with"
              + " the reason otherwise.")
  SyncRuns.RunView replay(@PathVariable String runId) {
    return runs.replay(runId);
  }

  @PostMapping("/{runId}/cancel")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Cancel a queued run, or stop a working one after its current batch")
  SyncRuns.RunView cancel(@PathVariable String runId) {
    return runs.cancel(runId);
  }
}
