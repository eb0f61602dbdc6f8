package io.customerstudio.app.syncs.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.activities.sync.SyncEngine;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.syncs.SyncCommand;
import io.customerstudio.app.syncs.SyncDefinitions;
import io.customerstudio.app.syncs.SyncRuns;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/syncs")
@Tag(
    name = "Syncs",
    description =
        "An audience delivered to a destination: mode (upsert, mirror, insert), field mapping,"
            + " identifier and schedule (manual, interval, cron, realtime). Each run sends only"
            + " the diff against what the destination has accepted before.")
class SyncsController {

  record EnabledBody(boolean enabled) {}

  private final SyncDefinitions syncs;
  private final SyncRuns runs;

  SyncsController(SyncDefinitions syncs, SyncRuns runs) {
    this.syncs = syncs;
    this.runs = runs;
  }

  @GetMapping
  List<SyncDefinitions.SyncView> list() {
    return syncs.list();
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(
      summary = "Create a sync",
      description =
          "Body: {key, name?, audience, destination, mode, mapping: [{from, to}], identifier:"
              + " {from, to}, schedule: {type: manual | interval (every: ISO duration) | cron"
              + " (expression, timezone?) | realtime}, enabled?, snapshots?, splitGroups?}. When"
              + " the audience has a split: splitGroups names the groups delivered (default, or"
              + " null: every group that is not a holdout; holdout groups are never delivered),"
              + " and \"split.group\" is a mapping source carrying each member's group. The"
              + " answer carries triggerSecret once: it signs real-time triggers.")
  SyncDefinitions.Created create(@RequestBody JsonNode body, Principal me) {
    Problems found = new Problems();
    SyncCommand command = SyncCommandReader.read(body, null, found);
    try {
      return syncs.create(command, found, me.getName());
    } catch (ValidationException e) {
      throw invalid(e);
    }
  }

  @GetMapping("/{key}")
  SyncDefinitions.SyncView get(@PathVariable String key) {
    return syncs.get(key);
  }

  @PutMapping("/{key}")
  @Operation(summary = "Replace a sync's settings (same body as create, key from the path)")
  SyncDefinitions.SyncView update(
      @PathVariable String key, @RequestBody JsonNode body, Principal me) {
    Problems found = new Problems();
    SyncCommand command = SyncCommandReader.read(body, key, found);
    try {
      return syncs.update(key, command, found, me.getName());
    } catch (ValidationException e) {
      throw invalid(e);
    }
  }

  @PutMapping("/{key}/enabled")
  @Operation(summary = "Enable or disable: a disabled sync neither runs on schedule nor by trigger")
  SyncDefinitions.SyncView enable(
      @PathVariable String key, @RequestBody EnabledBody body, Principal me) {
    return syncs.setEnabled(key, body.enabled(), me.getName());
  }

  @PostMapping("/{key}/trigger-secret")
  @Operation(summary = "Rotate the real-time trigger secret; the new one is shown this once")
  Map<String, String> rotate(@PathVariable String key, Principal me) {
    return Map.of("triggerSecret", syncs.rotateSecret(key, me.getName()));
  }

  @DeleteMapping("/{key}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete a sync, its schedule and run history (a run going on is cancelled)")
  void delete(@PathVariable String key, Principal me) {
    syncs.delete(key, me.getName());
  }

  @PostMapping("/{key}/runs")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(
      summary = "Run now",
      description =
          "Queues a run and returns its id. While a run waits, further triggers join it"
              + " (coalesced: true); runs of one sync never overlap.")
  Map<String, Object> run(@PathVariable String key) {
    SyncRuns.Enqueued e = runs.run(key, "api");
    return Map.of("runId", e.runId(), "coalesced", e.coalesced());
  }

  @GetMapping("/{key}/runs")
  @Operation(summary = "The sync's runs, newest first")
  List<SyncRuns.RunView> runs(
      @PathVariable String key, @RequestParam(defaultValue = "50") int limit) {
    return runs.runs(key, limit);
  }

  @GetMapping("/{key}/why/{memberKey}")
  @Operation(
      summary = "Why this sync sent a person or not",
      description =
          "result (sent or suppressed), reason and detail are what the sync's last governed run"
              + " did (reasons: subset, consent, rule, priority, split, holdout, identifier,"
              + " rejected, not_member, not_run); member, conditions (each top-level condition"
              + " of the audience), subset, consent per purpose, rule, priority and split are"
              + " evaluated now, and `now` is what a run starting now would decide.")
  SyncEngine.WhyAnswer why(@PathVariable String key, @PathVariable String memberKey) {
    return runs.why(key, memberKey);
  }

  @PostMapping("/{key}/dry-run")
  @Operation(
      summary = "The exact diff the next run would send, with a sample of each kind; sends nothing")
  SyncEngine.DryRun dryRun(
      @PathVariable String key, @RequestParam(defaultValue = "20") int sample) {
    try {
      return runs.dryRun(key, sample);
    } catch (ValidationException e) {
      throw invalid(e);
    }
  }

  /**
   * The definitions' problems as the API has always answered a sync's bad fields: 400 "Invalid
   * request", one error per JSON path.
   */
  static ApiException invalid(ValidationException e) {
    return ApiException.invalid(ApiException.errorsOf(e));
  }
}
