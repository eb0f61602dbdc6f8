package io.customerstudio.app.syncs;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.activities.destinations.Connectors;
import io.customerstudio.activities.destinations.Signatures;
import io.customerstudio.activities.sync.MembershipLog;
import io.customerstudio.activities.sync.Schedule;
import io.customerstudio.activities.sync.SyncEngine;
import io.customerstudio.activities.sync.SyncException;
import io.customerstudio.activities.sync.SyncSpec;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.api.Json;
import io.customerstudio.infra.secrets.SecretBox;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.RowErrors;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SnapshotStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.workflows.sync.SyncService;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;

/**
 * Syncs for the API and the UI: definitions validated against the audience's model and the
 * destination's modes, runs (trigger, list, detail, row errors, replay, cancel), dry runs,
 * real-time triggers checked by signature, snapshots and membership at a time.
 */
@Service
public class SyncsService {

  static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");

  /** Real-time triggers older or newer than this are refused. */
  public static final long TRIGGER_TOLERANCE_SECONDS = 300;

  public record SyncView(
      String key,
      String name,
      String audience,
      String destination,
      String mode,
      List<SyncSpec.Field> mapping,
      SyncSpec.Field identifier,
      Schedule schedule,
      String scheduleText,
      boolean enabled,
      boolean snapshots,
      RunSummary lastRun,
      String updatedBy,
      OffsetDateTime updatedAt) {}

  /** A create's answer: the sync, and its trigger secret, shown this once. */
  public record Created(SyncView sync, String triggerSecret) {}

  public record RunSummary(
      String runId, String status, OffsetDateTime queuedAt, OffsetDateTime finishedAt) {}

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
      OffsetDateTime evaluatedAt) {}

  public record Counts(
      Long members, Long added, Long changed, Long removed, long delivered, long rejected) {}

  public record Membership(
      String audience, Instant at, long members, List<MembershipLog.Membership> page) {}

  private final SyncStore syncs;
  private final RunStore runs;
  private final RowErrors rowErrors;
  private final SnapshotStore snapshotStore;
  private final AudienceStore audiences;
  private final DestinationStore destinations;
  private final SecretBox secrets;
  private final Workspace workspace;
  private final SyncEngine engine;
  private final SyncService workflows;
  private final Clock clock;
  private final java.nio.file.Path exportRoot;
  private final SecureRandom random = new SecureRandom();

  public SyncsService(
      SyncStore syncs,
      RunStore runs,
      RowErrors rowErrors,
      SnapshotStore snapshotStore,
      AudienceStore audiences,
      DestinationStore destinations,
      SecretBox secrets,
      Workspace workspace,
      SyncEngine engine,
      SyncService workflows,
      io.customerstudio.infra.config.StudioProperties properties,
      Clock clock) {
    this.exportRoot = properties.exports();
    this.syncs = syncs;
    this.runs = runs;
    this.rowErrors = rowErrors;
    this.snapshotStore = snapshotStore;
    this.audiences = audiences;
    this.destinations = destinations;
    this.secrets = secrets;
    this.workspace = workspace;
    this.engine = engine;
    this.workflows = workflows;
    this.clock = clock;
  }

  public List<SyncView> list() {
    return syncs.list().stream().map(this::view).toList();
  }

  public SyncView get(String key) {
    return view(find(key));
  }

  public Created create(JsonNode body, String user) {
    List<ApiException.FieldError> errors = new ArrayList<>();
    String key = body == null ? null : body.path("key").asText(null);
    if (key == null || !KEY.matcher(key).matches()) {
      errors.add(
          new ApiException.FieldError(
              "$.key", "use 1 to 100 lower-case letters, digits, '-' or '_'"));
    } else if (syncs.find(key).isPresent()) {
      throw ApiException.conflict("A sync '" + key + "' already exists");
    }
    SyncStore.Draft draft = draft(body, key, errors);
    String secret = newSecret();
    if (!syncs.create(key, draft, secrets.seal(secret), user)) {
      throw ApiException.conflict("A sync '" + key + "' already exists");
    }
    SyncStore.Sync created = find(key);
    workflows.apply(created);
    return new Created(view(created), secret);
  }

  public SyncView update(String key, JsonNode body, String user) {
    SyncStore.Sync current = find(key);
    SyncStore.Draft draft = draft(body, key, new ArrayList<>());
    if (!draft.destination().equals(current.destination())) {
      engine.resetState(key); // the new destination has received nothing yet
    }
    syncs.update(key, draft, user);
    SyncStore.Sync updated = find(key);
    workflows.apply(updated);
    return view(updated);
  }

  public SyncView setEnabled(String key, boolean enabled, String user) {
    find(key);
    syncs.setEnabled(key, enabled, user);
    SyncStore.Sync s = find(key);
    workflows.apply(s);
    return view(s);
  }

  /** A new trigger secret, returned this once; the old one stops working. */
  public String rotateSecret(String key) {
    find(key);
    String secret = newSecret();
    syncs.setTriggerSecret(key, secrets.seal(secret));
    return secret;
  }

  public void delete(String key) {
    find(key);
    workflows.remove(key);
    engine.resetState(key);
    syncs.delete(key);
  }

  /** Queues a run; a trigger while one waits joins it. */
  public RunStore.Enqueued run(String key, String trigger) {
    try {
      return workflows
          .trigger(key, trigger)
          .orElseThrow(() -> ApiException.notFound("Sync '" + key + "' not found"));
    } catch (SyncService.Refused e) {
      throw ApiException.conflict(e.getMessage());
    }
  }

  /**
   * A real-time trigger: the body signed with the sync's trigger secret like a webhook delivery.
   * Any problem is the same 401, so a caller learns nothing about which syncs exist.
   */
  public RunStore.Enqueued webhook(String key, String signature, byte[] body) {
    SyncStore.Sync sync = syncs.find(key).orElse(null);
    if (sync == null
        || signature == null
        || !Signatures.verify(
            secrets.unseal(sync.triggerSecret()),
            signature,
            body,
            clock.instant(),
            java.time.Duration.ofSeconds(TRIGGER_TOLERANCE_SECONDS))) {
      throw ApiException.unauthorized(
          "missing, invalid or stale " + Signatures.HEADER + " for this sync");
    }
    return run(key, "webhook");
  }

  public List<RunView> runs(String key, int limit) {
    find(key);
    String latest = runs.latestStarted(key).map(RunStore.Run::runId).orElse(null);
    return runs.list(key, Math.max(1, Math.min(limit, 500))).stream()
        .map(r -> view(r, latest))
        .toList();
  }

  public RunView runView(String runId) {
    RunStore.Run run = findRun(runId);
    return view(run, runs.latestStarted(run.sync()).map(RunStore.Run::runId).orElse(null));
  }

  public List<RowErrors.RowError> errors(String runId, int offset, int limit) {
    findRun(runId);
    return rowErrors.errors(runId, Math.max(0, offset), Math.max(1, Math.min(limit, 1000)));
  }

  public RunView replay(String runId) {
    findRun(runId);
    try {
      workflows.replay(runId);
    } catch (SyncService.Refused e) {
      throw ApiException.conflict(e.getMessage());
    }
    return runView(runId);
  }

  public RunView cancel(String runId) {
    findRun(runId);
    try {
      workflows.cancel(runId);
    } catch (SyncService.Refused e) {
      throw ApiException.conflict(e.getMessage());
    }
    return runView(runId);
  }

  public SyncEngine.DryRun dryRun(String key, int sample) {
    find(key);
    try {
      return engine.dryRun(key, Math.max(0, Math.min(sample, 100)));
    } catch (ValidationException e) {
      throw ApiException.invalid(ApiException.errorsOf(e));
    } catch (SyncException e) {
      throw ApiException.conflict(e.getMessage());
    }
  }

  public SnapshotStore.Snapshot snapshot(String audience, String user) {
    findAudience(audience);
    try {
      return engine.snapshot(audience, user);
    } catch (ValidationException e) {
      throw ApiException.invalid(ApiException.errorsOf(e));
    }
  }

  public List<SnapshotStore.Snapshot> snapshots(String audience) {
    findAudience(audience);
    return snapshotStore.snapshots(audience);
  }

  public SnapshotStore.Snapshot findSnapshot(long id) {
    return snapshotStore
        .snapshot(id)
        .orElseThrow(() -> ApiException.notFound("Snapshot " + id + " not found"));
  }

  /** A snapshot's member keys as CSV with a "key" header, streamed to {@code out}. */
  public void writeSnapshotCsv(long id, java.io.Writer out) throws java.io.IOException {
    findSnapshot(id);
    try (org.apache.commons.csv.CSVPrinter csv =
        org.apache.commons.csv.CSVFormat.RFC4180.builder().setHeader("key").get().print(out)) {
      engine
          .membershipLog()
          .snapshotMembers(
              id,
              key -> {
                try {
                  csv.printRecord(key);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
    }
  }

  public Membership membership(String audience, Instant at, int offset, int limit) {
    findAudience(audience);
    MembershipLog log = engine.membershipLog();
    return new Membership(
        audience,
        at,
        log.membershipCountAt(audience, at),
        log.membershipAt(audience, at, Math.max(0, offset), Math.max(1, Math.min(limit, 1000))));
  }

  /** The columns and traits a mapping may read: the audience's model's. */
  public List<String> sources(String audience) {
    AudienceStore.Audience a = audiences.find(audience).orElse(null);
    if (a == null) {
      return List.of();
    }
    Catalog catalog = workspace.catalog();
    return catalog
        .model(a.parentModel())
        .map(
            m -> {
              List<String> out = new ArrayList<>(m.columnsByName().keySet());
              catalog.traits(m).forEach(t -> out.add(t.def().name()));
              return out;
            })
        .orElse(List.of());
  }

  private SyncStore.Draft draft(JsonNode body, String key, List<ApiException.FieldError> errors) {
    if (body == null || !body.isObject()) {
      errors.add(new ApiException.FieldError("$", "give the sync as a JSON object"));
      throw ApiException.invalid(errors);
    }
    List<String> problems = new ArrayList<>();
    String name = body.path("name").asText(key == null ? "" : key).strip();
    if (name.isEmpty() || name.length() > 200) {
      problems.add("$.name: give a name of 1 to 200 characters");
    }
    SyncSpec spec = SyncSpec.read(body, problems);
    Schedule schedule = Schedule.read(body.path("schedule"), "$.schedule", problems);
    String audienceKey = body.path("audience").asText("");
    AudienceStore.Audience audience = audiences.find(audienceKey).orElse(null);
    if (audience == null) {
      problems.add("$.audience: no audience \"" + audienceKey + "\"");
    } else {
      List<String> sources = sources(audienceKey);
      List<SyncSpec.Field> mapping = spec.mapping();
      for (int i = 0; i < mapping.size(); i++) {
        if (!sources.contains(mapping.get(i).from())) {
          problems.add(
              "$.mapping["
                  + i
                  + "].from: \""
                  + mapping.get(i).from()
                  + "\" is not a column or trait of "
                  + audience.parentModel()
                  + "; one of "
                  + sources);
        }
      }
      if (spec.identifier() != null && !sources.contains(spec.identifier().from())) {
        problems.add(
            "$.identifier.from: \""
                + spec.identifier().from()
                + "\" is not a column or trait of "
                + audience.parentModel());
      }
    }
    String destinationKey = body.path("destination").asText("");
    DestinationStore.Destination destination = destinations.find(destinationKey).orElse(null);
    if (destination == null) {
      problems.add("$.destination: no destination \"" + destinationKey + "\"");
    } else if (SyncSpec.MODES.contains(spec.mode())
        && !Connectors.open(destination, secrets, exportRoot, clock)
            .modes()
            .contains(spec.mode())) {
      problems.add("$.mode: destination " + destinationKey + " does not take " + spec.mode());
    }
    JsonNode enabled = body.path("enabled");
    if (!enabled.isMissingNode() && !enabled.isBoolean()) {
      problems.add("$.enabled: true or false");
    }
    JsonNode snapshots = body.path("snapshots");
    if (!snapshots.isMissingNode() && !snapshots.isBoolean()) {
      problems.add("$.snapshots: true or false");
    }
    for (String p : problems) {
      int colon = p.indexOf(": ");
      errors.add(new ApiException.FieldError(p.substring(0, colon), p.substring(colon + 2)));
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    return new SyncStore.Draft(
        name,
        audienceKey,
        destinationKey,
        spec.mode(),
        spec.mappingJson(),
        spec.identifierJson(),
        Json.write(schedule),
        enabled.asBoolean(true),
        snapshots.asBoolean(false));
  }

  private String newSecret() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private SyncView view(SyncStore.Sync s) {
    SyncSpec spec = SyncSpec.of(s);
    Schedule schedule = SyncService.schedule(s);
    RunSummary last =
        runs.list(s.key(), 1).stream()
            .findFirst()
            .map(r -> new RunSummary(r.runId(), r.status().wire(), r.queuedAt(), r.finishedAt()))
            .orElse(null);
    return new SyncView(
        s.key(),
        s.name(),
        s.audience(),
        s.destination(),
        s.mode(),
        spec.mapping(),
        spec.identifier(),
        schedule,
        schedule.describe(),
        s.enabled(),
        s.snapshots(),
        last,
        s.updatedBy(),
        s.updatedAt());
  }

  /** {@code latestStarted}: the sync's newest started run, the only one that may be replayed. */
  private RunView view(RunStore.Run r, String latestStarted) {
    List<Phase> phases = new ArrayList<>();
    for (JsonNode p : Json.parse(r.phases())) {
      phases.add(
          new Phase(
              p.path("phase").asText(),
              OffsetDateTime.parse(p.path("startedAt").asText()),
              p.hasNonNull("finishedAt")
                  ? OffsetDateTime.parse(p.path("finishedAt").asText())
                  : null));
    }
    boolean replayable = r.replayable() && r.runId().equals(latestStarted);
    return new RunView(
        r.runId(),
        r.sync(),
        r.trigger(),
        r.status().wire(),
        r.attempts(),
        r.audienceVersion(),
        new Counts(r.members(), r.added(), r.changed(), r.removed(), r.delivered(), r.rejected()),
        r.batches(),
        r.batches() == null ? null : r.batchesDelivered(),
        r.batchSize(),
        phases,
        r.error(),
        replayable,
        r.queuedAt(),
        r.startedAt(),
        r.finishedAt(),
        r.evaluatedAt());
  }

  private SyncStore.Sync find(String key) {
    return syncs.find(key).orElseThrow(() -> ApiException.notFound("Sync '" + key + "' not found"));
  }

  private RunStore.Run findRun(String runId) {
    return runs.find(runId)
        .orElseThrow(() -> ApiException.notFound("Run '" + runId + "' not found"));
  }

  private void findAudience(String key) {
    audiences
        .find(key)
        .orElseThrow(() -> ApiException.notFound("Audience '" + key + "' not found"));
  }
}
