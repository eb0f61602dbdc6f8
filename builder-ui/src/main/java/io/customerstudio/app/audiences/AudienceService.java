package io.customerstudio.app.audiences;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.api.Json;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.app.security.CurrentRestriction;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.PriorityListStore;
import io.customerstudio.infra.store.TemplateStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.engine.AudienceEngine;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;

/**
 * Saved audiences and everything computed from definitions: validation at save (every save a new
 * version), previews, streamed evaluation, explain, insights and profiles. A definition is stored
 * in its canonical JSON, which a client that reads and saves it back gets unchanged.
 */
@Service
public class AudienceService {

  static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");

  public record AudienceView(
      String key,
      String name,
      String description,
      String parent,
      JsonNode definition,
      int version,
      Long size,
      OffsetDateTime sizeAt,
      String createdBy,
      OffsetDateTime createdAt,
      String updatedBy,
      OffsetDateTime updatedAt) {}

  public record VersionView(
      int version,
      String name,
      String description,
      JsonNode definition,
      String createdBy,
      OffsetDateTime createdAt) {}

  /** Where the size the audiences list shows was counted. */
  public enum SizeSource {
    LIVE_COUNT,
    SYNC_RUN,
    SNAPSHOT
  }

  /**
   * The newest size known for an audience's current definition; {@code detail} names the sync of a
   * sync run.
   */
  public record KnownSize(long members, OffsetDateTime at, SizeSource source, String detail) {}

  /** An audience as the list shows it: with its newest known size, or none. */
  public record Listed(AudienceView audience, KnownSize size) {}

  /** A definition given inline or by a saved audience's key, as preview-like requests do. */
  public record Target(JsonNode definition, String audience) {}

  private final AudienceStore audiences;
  private final io.customerstudio.infra.store.SyncStore syncs;
  private final PriorityListStore priorityLists;
  private final TemplateStore templates;
  private final Workspace workspace;
  private final CurrentRestriction restriction;
  private final Clock clock;
  private final AuditTrail audit;
  private final io.customerstudio.app.journeys.JourneyDefinitions journeys;

  public AudienceService(
      AudienceStore audiences,
      TemplateStore templates,
      io.customerstudio.infra.store.SyncStore syncs,
      PriorityListStore priorityLists,
      Workspace workspace,
      CurrentRestriction restriction,
      Clock clock,
      AuditTrail audit,
      io.customerstudio.app.journeys.JourneyDefinitions journeys) {
    this.journeys = journeys;
    this.restriction = restriction;
    this.audit = audit;
    this.syncs = syncs;
    this.priorityLists = priorityLists;
    this.audiences = audiences;
    this.templates = templates;
    this.workspace = workspace;
    this.clock = clock;
  }

  public List<AudienceView> list(String search) {
    return audiences.list(search).stream().map(this::viewForCaller).toList();
  }

  /**
   * The audiences (all, or those matching {@code search}) with the newest size known for each one's
   * current definition: a live count, a sync run or a snapshot, whichever is newest.
   */
  public List<Listed> listWithSizes(String search) {
    // known sizes count every row: a restricted user is shown none (her live count is hers to ask)
    boolean restricted = restriction.restricted();
    Map<String, AudienceStore.KnownSize> sizes = restricted ? Map.of() : audiences.knownSizes();
    return audiences.list(search).stream()
        .map(
            a -> {
              AudienceStore.KnownSize s = sizes.get(a.key());
              return new Listed(
                  restricted ? hideSize(view(a)) : view(a),
                  s == null
                      ? null
                      : new KnownSize(
                          s.members(), s.at(), SizeSource.valueOf(s.source().name()), s.detail()));
            })
        .toList();
  }

  public AudienceView get(String key) {
    return viewForCaller(find(key));
  }

  /** The view, without the last counted size when the caller is restricted (it counts all rows). */
  private AudienceView viewForCaller(AudienceStore.Audience a) {
    return restriction.restricted() ? hideSize(view(a)) : view(a);
  }

  private static AudienceView hideSize(AudienceView v) {
    return new AudienceView(
        v.key(),
        v.name(),
        v.description(),
        v.parent(),
        v.definition(),
        v.version(),
        null,
        null,
        v.createdBy(),
        v.createdAt(),
        v.updatedBy(),
        v.updatedAt());
  }

  public AudienceView create(
      String key, String name, String description, JsonNode definition, String user) {
    List<ApiException.FieldError> errors = new ArrayList<>();
    if (key == null || !KEY.matcher(key).matches()) {
      errors.add(
          new ApiException.FieldError(
              "$.key",
              "use 1 to 100 lower-case letters, digits, '-' or '_', starting with a letter or digit"));
    } else if (audiences.find(key).isPresent()) {
      throw ApiException.conflict("An audience '" + key + "' already exists");
    }
    checkName(name, errors);
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    AudienceDefinition d = validate(key, definition);
    AudienceView created = viewForCaller(audiences.create(key, draft(name, description, d), user));
    audit.record(user, AuditTrail.Entity.AUDIENCE, key, AuditTrail.Action.CREATE, null, created);
    return created;
  }

  public AudienceView update(
      String key, String name, String description, JsonNode definition, String user) {
    return save(key, name, description, definition, user, AuditTrail.Action.UPDATE);
  }

  /** An update, recorded in the audit log as {@code action} (an update or a restore). */
  private AudienceView save(
      String key,
      String name,
      String description,
      JsonNode definition,
      String user,
      AuditTrail.Action action) {
    AudienceStore.Audience current = find(key);
    List<ApiException.FieldError> errors = new ArrayList<>();
    checkName(name, errors);
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    AudienceDefinition d = validate(key, definition);
    boolean reparented = !d.parent().equals(current.parentModel());
    if (reparented) {
      priorityLists
          .containing(key)
          .ifPresent(
              l -> {
                throw ApiException.conflict(
                    "'"
                        + key
                        + "' is in priority list '"
                        + l.key()
                        + "', whose audiences select "
                        + current.parentModel()
                        + ", so its parent model cannot change; remove it from the list first");
              });
    }
    List<String> users = reparented ? referencing(key) : List.of();
    if (!users.isEmpty()) {
      throw ApiException.conflict(
          "'"
              + key
              + "' is used by "
              + users
              + "; they select "
              + current.parentModel()
              + ", so its parent model cannot change");
    }
    AudienceView saved =
        viewForCaller(audiences.update(key, draft(name, description, d), user).orElseThrow());
    audit.record(user, AuditTrail.Entity.AUDIENCE, key, action, view(current), saved);
    return saved;
  }

  public List<VersionView> versions(String key) {
    find(key);
    return audiences.versions(key).stream()
        .map(
            v ->
                new VersionView(
                    v.version(),
                    v.name(),
                    v.description(),
                    Json.parse(v.definition()),
                    v.createdBy(),
                    v.createdAt()))
        .toList();
  }

  /** Saves an old version's name, description and definition as the newest version. */
  public AudienceView restore(String key, int version, String user) {
    AudienceStore.Version v =
        audiences.versions(key).stream()
            .filter(x -> x.version() == version)
            .findFirst()
            .orElseThrow(
                () -> ApiException.notFound("Audience '" + key + "' has no version " + version));
    return save(
        key,
        v.name(),
        v.description(),
        Json.parse(v.definition()),
        user,
        AuditTrail.Action.RESTORE);
  }

  /**
   * Refused while another audience, a sync, a priority list or a journey (not stopped: its draft or
   * any version) uses this one, and says which.
   */
  public void delete(String key, String user) {
    AudienceStore.Audience current = find(key);
    priorityLists
        .containing(key)
        .ifPresent(
            l -> {
              throw ApiException.conflict(
                  "Audience '"
                      + key
                      + "' is in priority list '"
                      + l.key()
                      + "' ("
                      + l.name()
                      + "); remove it from the list first");
            });
    List<String> delivering = syncs.usingAudience(key);
    if (!delivering.isEmpty()) {
      throw ApiException.conflict(
          "Audience '" + key + "' is synced by " + delivering + "; delete those syncs first");
    }
    List<String> journeyUsers = journeys.usingAudience(key);
    if (!journeyUsers.isEmpty()) {
      throw ApiException.conflict(
          "Audience '"
              + key
              + "' is used by journey(s) "
              + journeyUsers
              + "; change their entry and conditions or stop those journeys first");
    }
    List<String> users = referencing(key);
    if (!users.isEmpty()) {
      throw ApiException.conflict(
          "Audience '"
              + key
              + "' is used by audience(s) "
              + users
              + "; remove those conditions first");
    }
    audiences.delete(key);
    audit.record(
        user, AuditTrail.Entity.AUDIENCE, key, AuditTrail.Action.DELETE, view(current), null);
  }

  /** Keys of saved audiences whose current definition refers to {@code key}. */
  public List<String> referencing(String key) {
    List<String> found = new ArrayList<>();
    for (AudienceStore.Audience a : audiences.list(null)) {
      if (!a.key().equals(key)
          && References.audiences(Workspace.definition(a.definition()).filter()).contains(key)) {
        found.add(a.key());
      }
    }
    return found;
  }

  public List<String> usingTemplate(String template) {
    return templateUsage().getOrDefault(template, List.of());
  }

  /** For every template: the keys of the audiences whose current definition uses it. */
  public Map<String, List<String>> templateUsage() {
    Map<String, List<String>> usage = new LinkedHashMap<>();
    for (AudienceStore.Audience a : audiences.list(null)) {
      for (String t : References.templates(Workspace.definition(a.definition()).filter())) {
        List<String> users = usage.computeIfAbsent(t, k -> new ArrayList<>());
        if (!users.contains(a.key())) {
          users.add(a.key());
        }
      }
    }
    return usage;
  }

  /**
   * Records a size the builder computed for {@code definition}; kept only while that is still the
   * audience's current definition, so the list never shows the size of an unsaved edit.
   */
  public void recordSize(String key, JsonNode definition, long count) {
    if (restriction.restricted()) {
      return; // her count is of her rows only, not the audience's size
    }
    Problems problems = new Problems();
    AudienceDefinition d = AudienceJson.readDefinition(definition, "$", problems);
    if (problems.isEmpty() && d != null) {
      audiences.recordCount(key, AudienceJson.write(d).toString(), count);
    }
  }

  // ---------------------------------------------------------------- computations

  /**
   * The service's clock: the moment a view resolves relative windows against when it wants two
   * computations (the live size and explain) to agree.
   */
  public Instant now() {
    return clock.instant();
  }

  /** Whether exact counts are fast (a columnar warehouse): then no sample is shown first. */
  public boolean exactCountsAreFast() {
    return workspace.columnar();
  }

  public AudienceEngine.Preview preview(
      Target target,
      Instant asOf,
      AudienceEngine.Sampling sampling,
      int limit,
      List<String> columns) {
    return preview(target, asOf, sampling, limit, columns, null);
  }

  /**
   * As above; {@code handle} (may be null) can cancel the warehouse queries from another thread.
   */
  public AudienceEngine.Preview preview(
      Target target,
      Instant asOf,
      AudienceEngine.Sampling sampling,
      int limit,
      List<String> columns,
      QueryHandle handle) {
    if (sampling != null && (sampling.percent() <= 0 || sampling.percent() > 100)) {
      throw ApiException.invalid("$.sampling.percent", "must be greater than 0 and at most 100");
    }
    if (limit < 0 || limit > 1000) {
      throw ApiException.invalid("$.limit", "must be from 0 to 1000");
    }
    Resolved r = resolve(target);
    AudienceEngine.Preview p =
        engine(handle).preview(r.definition(), r.path(), time(asOf), sampling, limit, columns);
    if (r.saved() != null && sampling == null && asOf == null && !restriction.restricted()) {
      audiences.recordCount(r.saved().key(), r.saved().definition(), p.count());
    }
    return p;
  }

  /** A page of members in key order, with their label, chosen columns and traits. */
  public List<Map<String, Object>> page(
      Target target, List<String> columns, int offset, int limit, QueryHandle handle) {
    Resolved r = resolve(target);
    return engine(handle).page(r.definition(), r.path(), clock.instant(), columns, offset, limit);
  }

  public long evaluate(Target target, Instant asOf, Consumer<Object> sink) {
    return evaluation(target, asOf).applyAsLong(sink);
  }

  /**
   * An evaluation prepared on the calling thread (the acting user's restriction is resolved now),
   * to stream later, possibly on another thread.
   */
  public java.util.function.ToLongFunction<Consumer<Object>> evaluation(
      Target target, Instant asOf) {
    Resolved r = resolve(target);
    AudienceEngine engine = engine(null);
    Instant at = time(asOf);
    return sink -> engine.streamKeys(r.definition(), r.path(), at, sink);
  }

  /** Validates a target (compiles it) without running anything. */
  public void explainable(Target target) {
    Resolved r = resolve(target);
    engine(null).compile(r.definition(), r.path(), clock.instant());
  }

  public AudienceEngine.Explanation explain(Target target, Instant asOf) {
    return explain(target, asOf, null);
  }

  public AudienceEngine.Explanation explain(Target target, Instant asOf, QueryHandle handle) {
    Resolved r = resolve(target);
    return engine(handle).explain(r.definition(), r.path(), time(asOf));
  }

  /** The SQL a target compiles to, values inlined, without running it. */
  public String sql(Target target) {
    Resolved r = resolve(target);
    return engine(null).sql(r.definition(), r.path(), clock.instant());
  }

  public AudienceEngine.Overlap overlap(List<String> keys, Instant asOf) {
    return overlap(null, null, keys, asOf);
  }

  /**
   * The overlap of saved audiences, plus, when {@code draftName} is given, a definition being
   * edited (not saved yet) under that name: the builder compares what the user sees.
   */
  public AudienceEngine.Overlap overlap(
      String draftName, JsonNode draft, List<String> keys, Instant asOf) {
    int total = (keys == null ? 0 : keys.size()) + (draftName == null ? 0 : 1);
    if (keys == null || total < 2 || total > 10) {
      throw ApiException.invalid("$.audiences", "give 2 to 10 audience keys");
    }
    Map<String, AudienceDefinition> definitions = new LinkedHashMap<>();
    if (draftName != null) {
      definitions.put(draftName, resolve(new Target(draft, null)).definition());
    }
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      AudienceStore.Audience a =
          audiences
              .find(key)
              .orElseThrow(() -> ApiException.invalid("$.audiences", "no audience '" + key + "'"));
      if (definitions.put(key, Workspace.definition(a.definition())) != null) {
        throw ApiException.invalid("$.audiences", "'" + key + "' is listed twice");
      }
    }
    return engine(null).overlap(definitions, "$.audiences", time(asOf));
  }

  public AudienceEngine.Breakdown breakdown(
      Target target, String column, String trait, Instant asOf, Integer limit) {
    Resolved r = resolve(target);
    return engine(null)
        .breakdown(r.definition(), r.path(), time(asOf), column, trait, limit == null ? 10 : limit);
  }

  public Optional<AudienceEngine.Profile> profile(String model, String key) {
    return engine(null).profile(model, key);
  }

  public AudienceDefinition definition(String key) {
    return Workspace.definition(find(key).definition());
  }

  // ---------------------------------------------------------------- internals

  /**
   * Parses and compiles, as the audience {@code key} would be saved (so cycles through it show).
   */
  AudienceDefinition validate(String key, JsonNode definition) {
    if (definition == null || definition.isNull()) {
      throw ApiException.invalid("$.definition", "is required: {\"parent\": ..., \"filter\": ...}");
    }
    Problems problems = new Problems();
    AudienceDefinition d = AudienceJson.readDefinition(definition, "$.definition", problems);
    AudienceCompiler.Resolver stored = workspace.resolver();
    AudienceCompiler.Resolver withThis =
        new AudienceCompiler.Resolver() {
          @Override
          public Optional<AudienceDefinition> audience(String k) {
            return k.equals(key) ? Optional.ofNullable(d) : stored.audience(k);
          }

          @Override
          public Optional<AudienceCompiler.TemplateBody> template(String k) {
            return stored.template(k);
          }
        };
    // parses again, reporting structural and semantic problems together
    new AudienceCompiler(workspace.catalog(), withThis, clock.instant())
        .compile(definition, "$.definition");
    return d;
  }

  private record Resolved(
      AudienceDefinition definition, String path, AudienceStore.Audience saved) {}

  private Resolved resolve(Target t) {
    if ((t.definition() == null) == (t.audience() == null)) {
      throw ApiException.invalid("$", "give exactly one of \"definition\" or \"audience\"");
    }
    if (t.audience() != null) {
      AudienceStore.Audience a =
          audiences
              .find(t.audience())
              .orElseThrow(
                  () -> ApiException.invalid("$.audience", "no audience '" + t.audience() + "'"));
      return new Resolved(Workspace.definition(a.definition()), "$.audience", a);
    }
    Problems problems = new Problems();
    AudienceDefinition d = AudienceJson.readDefinition(t.definition(), "$.definition", problems);
    if (!problems.isEmpty()) {
      // compile reports parse and semantic problems together
      workspace.engine().compiler(clock.instant()).compile(t.definition(), "$.definition");
    }
    return new Resolved(d, "$.definition", null);
  }

  /** The engine as the acting user may use it: restricted to her subsets, if she has any. */
  private AudienceEngine engine(QueryHandle handle) {
    return restriction.apply(handle == null ? workspace.engine() : workspace.engine(handle));
  }

  private Instant time(Instant asOf) {
    return asOf != null ? asOf : clock.instant();
  }

  private AudienceStore.Audience find(String key) {
    return audiences
        .find(key)
        .orElseThrow(() -> ApiException.notFound("Audience '" + key + "' not found"));
  }

  private static AudienceStore.Draft draft(String name, String description, AudienceDefinition d) {
    return new AudienceStore.Draft(
        name.strip(),
        description == null || description.isBlank() ? null : description,
        d.parent(),
        AudienceJson.write(d).toString());
  }

  private static void checkName(String name, List<ApiException.FieldError> errors) {
    if (name == null || name.isBlank() || name.length() > 200) {
      errors.add(new ApiException.FieldError("$.name", "give a name of 1 to 200 characters"));
    }
  }

  static AudienceView view(AudienceStore.Audience a) {
    return new AudienceView(
        a.key(),
        a.name(),
        a.description(),
        a.parentModel(),
        Json.parse(a.definition()),
        a.version(),
        a.lastCount(),
        a.lastCountedAt(),
        a.createdBy(),
        a.createdAt(),
        a.updatedBy(),
        a.updatedAt());
  }

  /** Finds the audiences and templates a condition tree refers to. */
  static final class References {
    private References() {}

    static List<String> audiences(Condition c) {
      List<String> out = new ArrayList<>();
      walk(
          c,
          x -> {
            if (x instanceof Condition.AudienceRef a) {
              out.add(a.audience());
            }
          });
      return out;
    }

    static List<String> templates(Condition c) {
      List<String> out = new ArrayList<>();
      walk(
          c,
          x -> {
            if (x instanceof Condition.Template t) {
              out.add(t.template());
            }
          });
      return out;
    }

    static void walk(Condition c, Consumer<Condition> visit) {
      if (c == null) {
        return;
      }
      visit.accept(c);
      if (c instanceof Condition.And a) {
        a.conditions().forEach(x -> walk(x, visit));
      } else if (c instanceof Condition.Or o) {
        o.conditions().forEach(x -> walk(x, visit));
      } else if (c instanceof Condition.Not n) {
        walk(n.condition(), visit);
      } else if (c instanceof Condition.Relation r) {
        walk(r.where(), visit);
      } else if (c instanceof Condition.Event e) {
        walk(e.where(), visit);
      }
    }
  }
}
