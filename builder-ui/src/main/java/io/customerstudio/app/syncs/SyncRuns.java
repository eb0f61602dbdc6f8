package io.customerstudio.app.syncs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.customerstudio.activities.destinations.Signatures;
import io.customerstudio.activities.sync.SyncEngine;
import io.customerstudio.activities.sync.SyncException;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.infra.secrets.SecretBox;
import io.customerstudio.infra.store.RowErrors;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.governance.Governance;
import io.customerstudio.workflows.sync.SyncService;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;

/**
 * A sync's runs: triggers (Run now, the API, signed real-time webhooks), the list and detail of
 * runs, the rows a destination rejected, replay and cancel, and dry runs that send nothing.
 * Refusals are typed: {@link NotFoundException}, {@link ConflictException} (a run that cannot be
 * replayed or cancelled, a disabled sync), {@link TriggerRefused}.
 */
@Service
public class SyncRuns {

  /** Real-time triggers older or newer than this are refused. */
  public static final long TRIGGER_TOLERANCE_SECONDS = 300;

  /** A queued run, or the run a trigger joined because it was still waiting. */
  public record Enqueued(String runId, boolean coalesced) {}

  public record Phase(String phase, OffsetDateTime startedAt, OffsetDateTime finishedAt) {}

  public record RunView(
      String runId,
      String sync,
      String trigger,
      String status,
      int attempts,
      Integer audienceVersion,
      Counts counts,
      Integer batches,
      Integer batchesDelivered,
      Integer batchSize,
      List<Phase> phases,
      String error,
      boolean replayable,
      OffsetDateTime queuedAt,
      OffsetDateTime startedAt,
      OffsetDateTime finishedAt,
      OffsetDateTime evaluatedAt,
      Map<String, Long> excluded) {}

  /**
   * A run's counts. Members = added + changed + unchanged + excluded: every member is sent, left as
   * the destination has it, or excluded with a reason; of those sent, {@code rejected} came back as
   * row errors. {@code unchanged} is known once the run is diffed.
   */
  public record Counts(
      Long members,
      Long added,
      Long changed,
      Long removed,
      Long unchanged,
      long delivered,
      long rejected) {}

  /** A member a run did not send, with the first reason that excluded it. */
  public record Exclusion(String key, String reason, String detail, OffsetDateTime at) {}

  /** A row the destination rejected, and why. */
  public record RowError(String runId, String key, String reason, OffsetDateTime at) {}

  /**
   * A real-time trigger without a valid signature. It says nothing about which syncs exist: an
   * unknown sync is refused the same way.
   */
  public static class TriggerRefused extends RuntimeException {
    TriggerRefused(String message) {
      super(message);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SyncStore syncs;
  private final RunStore runs;
  private final RowErrors rowErrors;
  private final SecretBox secrets;
  private final SyncEngine engine;
  private final SyncService workflows;
  private final Clock clock;
  private final io.customerstudio.infra.store.AudienceStore audiences;
  private final io.customerstudio.infra.workspace.Workspace workspace;
  private final io.customerstudio.app.security.CurrentRestriction restriction;

  public SyncRuns(
      SyncStore syncs,
      RunStore runs,
      RowErrors rowErrors,
      SecretBox secrets,
      SyncEngine engine,
      SyncService workflows,
      io.customerstudio.infra.store.AudienceStore audiences,
      io.customerstudio.infra.workspace.Workspace workspace,
      io.customerstudio.app.security.CurrentRestriction restriction,
      Clock clock) {
    this.audiences = audiences;
    this.workspace = workspace;
    this.restriction = restriction;
    this.syncs = syncs;
    this.runs = runs;
    this.rowErrors = rowErrors;
    this.secrets = secrets;
    this.engine = engine;
    this.workflows = workflows;
    this.clock = clock;
  }

  /**
   * Queues a run; a trigger while one waits joins it.
   *
   * @throws NotFoundException when there is no such sync
   * @throws ConflictException when the sync is disabled
   */
  public Enqueued run(String key, String trigger) {
    try {
      RunStore.Enqueued e =
          workflows
              // who asked: a restricted person's run delivers only her rows
              .trigger(key, trigger, restriction.username())
              .orElseThrow(() -> new NotFoundException("Sync '" + key + "' not found"));
      return new Enqueued(e.runId(), e.coalesced());
    } catch (SyncService.Refused e) {
      throw new ConflictException(e.getMessage());
    }
  }

  /**
   * A real-time trigger: the body signed with the sync's trigger secret like a webhook delivery.
   *
   * @throws TriggerRefused for any problem with the sync or the signature, alike
   */
  public Enqueued webhook(String key, String signature, byte[] body) {
    SyncStore.Sync sync = syncs.find(key).orElse(null);
    if (sync == null
        || signature == null
        || !Signatures.verify(
            secrets.unseal(sync.triggerSecret()),
            signature,
            body,
            clock.instant(),
            Duration.ofSeconds(TRIGGER_TOLERANCE_SECONDS))) {
      throw new TriggerRefused("missing, invalid or stale " + Signatures.HEADER + " for this sync");
    }
    return run(key, "webhook");
  }

  /** The sync's runs, newest first, at most {@code limit} (1 to 500). */
  public List<RunView> runs(String key, int limit) {
    findSync(key);
    String latest = runs.latestStarted(key).map(RunStore.Run::runId).orElse(null);
    return runs.list(key, Math.max(1, Math.min(limit, 500))).stream()
        .map(r -> view(r, latest))
        .toList();
  }

  public RunView runView(String runId) {
    RunStore.Run run = findRun(runId);
    return view(run, runs.latestStarted(run.sync()).map(RunStore.Run::runId).orElse(null));
  }

  /** The rows the destination rejected in a run, in the order they were recorded. */
  public List<RowError> errors(String runId, int offset, int limit) {
    RunStore.Run run = findRun(runId);
    List<RowError> page =
        rowErrors.errors(runId, Math.max(0, offset), Math.max(1, Math.min(limit, 1000))).stream()
            .map(e -> new RowError(e.runId(), e.key(), e.reason(), e.at()))
            .toList();
    if (!restriction.restricted() || page.isEmpty()) {
      return page;
    }
    // a restricted user sees the errors of her rows only (the page may come back shorter)
    java.util.Set<String> visible = visible(run.sync(), page.stream().map(RowError::key).toList());
    return page.stream().filter(e -> visible.contains(e.key())).toList();
  }

  /** Of {@code keys} (members of the sync's parent), those the current user may see. */
  private java.util.Set<String> visible(String sync, List<String> keys) {
    String parent =
        syncs
            .find(sync)
            .flatMap(s -> audiences.find(s.audience()))
            .map(io.customerstudio.infra.store.AudienceStore.Audience::parentModel)
            .orElse(null);
    if (parent == null) {
      return java.util.Set.of();
    }
    return restriction.apply(workspace.engine()).visible(parent, keys);
  }

  /**
   * Resumes a failed or interrupted run where it stopped.
   *
   * @throws ConflictException with the reason when it cannot be replayed
   */
  public RunView replay(String runId) {
    findRun(runId);
    try {
      workflows.replay(runId);
    } catch (SyncService.Refused e) {
      throw new ConflictException(e.getMessage());
    }
    return runView(runId);
  }

  /**
   * Cancels a queued run, or stops a working one after its current batch.
   *
   * @throws ConflictException when the run has ended
   */
  public RunView cancel(String runId) {
    findRun(runId);
    try {
      workflows.cancel(runId);
    } catch (SyncService.Refused e) {
      throw new ConflictException(e.getMessage());
    }
    return runView(runId);
  }

  /**
   * The exact diff the next run would send, with up to {@code sample} rows of each kind (0 to 100);
   * sends nothing.
   *
   * @throws ValidationException when the audience no longer compiles
   * @throws ConflictException when the sync cannot run as it stands
   */
  public SyncEngine.DryRun dryRun(String key, int sample) {
    findSync(key);
    if (restriction.restricted()) {
      // its diff (rows to remove above all) is over every row the sync delivered
      throw new io.customerstudio.app.api.ApiException(
          org.springframework.http.HttpStatus.FORBIDDEN,
          "Forbidden",
          "A dry run shows rows outside your subsets; ask an admin to run it",
          List.of());
    }
    try {
      return engine.dryRun(key, Math.max(0, Math.min(sample, 100)));
    } catch (SyncException e) {
      throw new ConflictException(e.getMessage());
    }
  }

  /** {@code latestStarted}: the sync's newest started run, the only one that may be replayed. */
  private RunView view(RunStore.Run r, String latestStarted) {
    boolean replayable = r.replayable() && r.runId().equals(latestStarted);
    Map<String, Long> excluded = excluded(r.excluded());
    return new RunView(
        r.runId(),
        r.sync(),
        r.trigger(),
        r.status().wire(),
        r.attempts(),
        r.audienceVersion(),
        new Counts(
            r.members(),
            r.added(),
            r.changed(),
            r.removed(),
            unchanged(r, excluded),
            r.delivered(),
            r.rejected()),
        r.batches(),
        r.batches() == null ? null : r.batchesDelivered(),
        r.batchSize(),
        phases(r.phases()),
        r.error(),
        replayable,
        r.queuedAt(),
        r.startedAt(),
        r.finishedAt(),
        r.evaluatedAt(),
        excluded);
  }

  /** The stored counts per reason, every reason present; null before the run is governed. */
  private static Map<String, Long> excluded(String json) {
    if (json == null) {
      return null;
    }
    Map<String, Long> out = new LinkedHashMap<>();
    for (Governance.Reason reason : Governance.Reason.values()) {
      out.put(reason.wire(), 0L);
    }
    try {
      JSON.readTree(json)
          .fields()
          .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException("a run's stored exclusions are not JSON", e);
    }
    return out;
  }

  /** Members neither sent nor excluded: known once the run is diffed (removals are not members). */
  private static Long unchanged(RunStore.Run r, Map<String, Long> excluded) {
    if (r.members() == null || r.added() == null || r.changed() == null) {
      return null;
    }
    long out = excluded == null ? 0 : excluded.values().stream().mapToLong(Long::longValue).sum();
    return r.members() - out - r.added() - r.changed();
  }

  /**
   * Why the sync sent a member or not: the last governed run's result and reason, with the
   * membership, consent, rule, priority and split details evaluated now.
   *
   * @throws NotFoundException when there is no such sync
   */
  public SyncEngine.WhyAnswer why(String key, String memberKey) {
    findSync(key);
    if (restriction.restricted() && visible(key, List.of(memberKey)).isEmpty()) {
      // outside her subsets: as if there were no such person
      throw new NotFoundException("No member '" + memberKey + "' in sync '" + key + "'");
    }
    try {
      return engine.why(key, memberKey);
    } catch (SyncException e) {
      throw new ConflictException(e.getMessage());
    }
  }

  /**
   * A page of the members a run excluded, in key order after {@code after}, of one reason or all.
   *
   * @throws ValidationException naming {@code reason} or {@code limit} when they are not valid
   */
  public List<Exclusion> exclusions(String runId, String reason, String after, int limit) {
    findRun(runId);
    Problems problems = new Problems();
    if (reason != null
        && Arrays.stream(Governance.Reason.values()).noneMatch(x -> x.wire().equals(reason))) {
      problems.add(
          "reason",
          Problems.unknown(
              "reason",
              reason,
              null,
              Arrays.stream(Governance.Reason.values()).map(Governance.Reason::wire).toList()));
    }
    if (limit < 1 || limit > 1000) {
      problems.add("limit", "must be between 1 and 1000");
    }
    problems.throwIfAny();
    List<Exclusion> page =
        engine.exclusions().page(runId, reason, after, limit).stream()
            .map(e -> new Exclusion(e.key(), e.reason(), e.detail(), e.at()))
            .toList();
    if (!restriction.restricted() || page.isEmpty()) {
      return page;
    }
    // a restricted user sees her rows only (the page may come back shorter; page on by `after`)
    java.util.Set<String> visible =
        visible(findRun(runId).sync(), page.stream().map(Exclusion::key).toList());
    return page.stream().filter(e -> visible.contains(e.key())).toList();
  }

  private static List<Phase> phases(String json) {
    List<Phase> phases = new ArrayList<>();
    try {
      for (JsonNode p : JSON.readTree(json)) {
        phases.add(
            new Phase(
                p.path("phase").asText(),
                OffsetDateTime.parse(p.path("startedAt").asText()),
                p.hasNonNull("finishedAt")
                    ? OffsetDateTime.parse(p.path("finishedAt").asText())
                    : null));
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException("a run's stored phases are not JSON", e);
    }
    return phases;
  }

  private void findSync(String key) {
    if (syncs.find(key).isEmpty()) {
      throw new NotFoundException("Sync '" + key + "' not found");
    }
  }

  private RunStore.Run findRun(String runId) {
    return runs.find(runId)
        .orElseThrow(() -> new NotFoundException("Run '" + runId + "' not found"));
  }
}
