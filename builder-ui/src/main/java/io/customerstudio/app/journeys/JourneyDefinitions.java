package io.customerstudio.app.journeys;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.JourneyStore;
import io.customerstudio.infra.store.JourneyStore.State;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.Problem;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.journey.JourneyDefinition;
import io.customerstudio.query.journey.JourneyJson;
import io.customerstudio.query.journey.JourneyValidator;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.workflows.journey.JourneyOrchestrator;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Journeys' definitions, versions and states (journey spec, section 4): drafts are any document the
 * reader can read; publish validates the draft against the workspace and makes it the live version
 * N+1, optionally migrating the people in flight; pause, resume and stop move the state machine
 * draft → live ⇄ paused → stopped (final). Every change is recorded in the audit trail as the API
 * shows the journey, and every change of what a journey should do wakes its workflow. Who is where
 * inside a journey is the engine's, not this class's.
 */
@Service
public class JourneyDefinitions {

  private static final Logger log = LoggerFactory.getLogger(JourneyDefinitions.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A journey in the list. */
  public record Summary(
      String key,
      String name,
      String parent,
      @JsonIgnore State state,
      Integer liveVersion,
      OffsetDateTime updatedAt) {
    @JsonProperty("state")
    public String stateName() {
      return state.wire();
    }
  }

  /** A published version, without its document. */
  public record VersionInfo(int version, OffsetDateTime publishedAt, String publishedBy) {}

  /** A journey with its draft document and its versions, oldest first. */
  public record Detail(
      String key,
      String name,
      String parent,
      @JsonIgnore State state,
      Integer liveVersion,
      JsonNode draft,
      List<VersionInfo> versions,
      String createdBy,
      OffsetDateTime createdAt,
      String updatedBy,
      OffsetDateTime updatedAt) {
    @JsonProperty("state")
    public String stateName() {
      return state.wire();
    }
  }

  /** A published version with its document. */
  public record VersionView(
      String key,
      int version,
      JsonNode definition,
      OffsetDateTime publishedAt,
      String publishedBy) {}

  /** What a publish did: the new version, the state after it, how many people moved to it. */
  public record Published(int version, @JsonIgnore State state, int migrated) {
    @JsonProperty("state")
    public String stateName() {
      return state.wire();
    }
  }

  private final JourneyStore store;
  private final DestinationStore destinations;
  private final Workspace workspace;
  private final JourneyOrchestrator orchestrator;
  private final AuditTrail audit;
  private final Clock clock;

  public JourneyDefinitions(
      JourneyStore store,
      DestinationStore destinations,
      Workspace workspace,
      JourneyOrchestrator orchestrator,
      AuditTrail audit,
      Clock clock) {
    this.store = store;
    this.destinations = destinations;
    this.workspace = workspace;
    this.orchestrator = orchestrator;
    this.audit = audit;
    this.clock = clock;
  }

  public List<Summary> list() {
    return store.list().stream()
        .map(
            j ->
                new Summary(
                    j.key(), j.name(), j.parent(), j.state(), j.liveVersion(), j.updatedAt()))
        .toList();
  }

  /**
   * @throws NotFoundException when there is no such journey
   */
  public Detail find(String key) {
    return detail(journey(key));
  }

  /**
   * Creates a journey in state draft. The document must be readable (shapes, no unknown fields);
   * whether it can be published is {@link #validate}'s and {@link #publish}'s.
   *
   * @throws ValidationException naming each field at fault
   * @throws ConflictException when the key is taken
   */
  public Detail create(JsonNode document, String actor) {
    JourneyDefinition d = readable(document, null);
    if (!store.create(d.key(), draft(d, document), actor)) {
      throw new ConflictException(
          "A journey '" + d.key() + "' already exists; choose another key or update it");
    }
    Detail created = find(d.key());
    audit.record(
        actor, AuditTrail.Entity.JOURNEY, d.key(), AuditTrail.Action.CREATE, null, created);
    return created;
  }

  /**
   * Replaces the draft. Published versions never change; a stopped journey is final.
   *
   * @throws NotFoundException when there is no such journey
   * @throws ValidationException naming each field at fault (a key other than the path's, too)
   * @throws ConflictException when the journey is stopped
   */
  public Detail update(String key, JsonNode document, String actor) {
    Detail before = find(key);
    if (before.state() == State.STOPPED) {
      throw stopped(key);
    }
    JourneyDefinition d = readable(document, key);
    if (!store.updateDraft(key, draft(d, document), actor)) {
      throw notFound(key);
    }
    Detail after = find(key);
    audit.record(actor, AuditTrail.Entity.JOURNEY, key, AuditTrail.Action.UPDATE, before, after);
    return after;
  }

  /**
   * Deletes a journey with its versions, stats and history; refused while it runs.
   *
   * @throws ConflictException while the journey is live or paused
   */
  public void delete(String key, String actor) {
    Detail before = find(key);
    if (before.state().running()) {
      throw new ConflictException(
          "Journey '" + key + "' is " + before.state().wire() + "; stop it first, then delete it");
    }
    if (!store.delete(key)) {
      throw notFound(key);
    }
    audit.record(actor, AuditTrail.Entity.JOURNEY, key, AuditTrail.Action.DELETE, before, null);
  }

  /** Every problem publishing the draft now would report, each with its path; empty when none. */
  public List<Problem> validate(String key) {
    Problems problems = new Problems();
    check(Json.parse(journey(key).draft()), problems);
    return problems.list();
  }

  /**
   * @throws NotFoundException when there is no such journey or version
   */
  public VersionView version(String key, int version) {
    journey(key);
    JourneyStore.Version v =
        store
            .version(key, version)
            .orElseThrow(
                () -> new NotFoundException("Journey '" + key + "' has no version " + version));
    return new VersionView(key, v.version(), Json.parse(v.definition()), v.at(), v.publishedBy());
  }

  /**
   * Validates the draft and makes it the live version N+1 (a paused journey stays paused). With
   * {@code migrate}, everyone waiting at a node whose id exists in the new version moves to it,
   * keeping the time already waited; the others finish on the version they are on.
   *
   * @throws ValidationException with every problem of the draft
   * @throws ConflictException when the journey is stopped
   */
  public Published publish(String key, boolean migrate, String actor) {
    Detail before = find(key);
    if (before.state() == State.STOPPED) {
      throw stopped(key);
    }
    JsonNode document = before.draft();
    Problems problems = new Problems();
    JourneyDefinition d = check(document, problems);
    problems.throwIfAny();
    Set<String> ids = new LinkedHashSet<>();
    d.nodes().forEach(n -> ids.add(n.id()));
    JourneyStore.Published p =
        store
            .publish(key, document.toString(), actor, migrate ? ids : null)
            .orElseThrow(() -> stopped(key));
    audit.record(
        actor, AuditTrail.Entity.JOURNEY, key, AuditTrail.Action.UPDATE, before, find(key));
    wake(key);
    return new Published(p.version(), p.state(), p.migrated());
  }

  /**
   * Live → paused: no new entries, sends hold until resume, timers keep running.
   *
   * @throws ConflictException unless the journey is live
   */
  public Summary pause(String key, String actor) {
    return move(key, EnumSet.of(State.LIVE), State.PAUSED, actor, "only a live journey pauses");
  }

  /**
   * Paused → live.
   *
   * @throws ConflictException unless the journey is paused
   */
  public Summary resume(String key, String actor) {
    return move(key, EnumSet.of(State.PAUSED), State.LIVE, actor, "only a paused journey resumes");
  }

  /**
   * Live or paused → stopped, which is final: everyone still inside exits (reason stopped).
   *
   * @throws ConflictException unless the journey is live or paused
   */
  public Summary stop(String key, String actor) {
    return move(
        key,
        EnumSet.of(State.LIVE, State.PAUSED),
        State.STOPPED,
        actor,
        "only a live or paused journey stops (a draft never published is deleted instead)");
  }

  /** The journeys (not stopped; draft or any version) whose send nodes deliver to it. */
  public List<String> usingDestination(String destination) {
    return using(doc -> JourneyJson.destinations(doc).contains(destination));
  }

  /** The journeys (not stopped; draft or any version) that enter from it or test membership. */
  public List<String> usingAudience(String audience) {
    return using(doc -> JourneyJson.audiences(doc).contains(audience));
  }

  // ---------------------------------------------------------------- internals

  private List<String> using(Function<JsonNode, Boolean> uses) {
    Set<String> out = new LinkedHashSet<>();
    for (JourneyStore.Document doc : store.documentsInUse()) {
      if (!out.contains(doc.journey()) && uses.apply(Json.parseOrNull(doc.text()))) {
        out.add(doc.journey());
      }
    }
    return List.copyOf(out);
  }

  private Summary move(String key, Set<State> from, State to, String actor, String rule) {
    Detail before = find(key);
    if (!store.setState(key, from, to, actor)) {
      State now = journey(key).state();
      throw new ConflictException(
          "Journey '"
              + key
              + "' is "
              + now.wire()
              + "; "
              + rule
              + (now == State.STOPPED ? "; stopped is final" : ""));
    }
    Detail after = find(key);
    audit.record(actor, AuditTrail.Entity.JOURNEY, key, AuditTrail.Action.UPDATE, before, after);
    wake(key);
    return new Summary(
        after.key(),
        after.name(),
        after.parent(),
        after.state(),
        after.liveVersion(),
        after.updatedAt());
  }

  /**
   * Wakes the journey's workflow. The change is committed already; a failure to reach Temporal now
   * is retried by the orchestrator's next coalesced nudge, and at the latest by its recovery at
   * start-up, so it does not fail the request.
   */
  private void wake(String key) {
    try {
      orchestrator.nudge(key);
    } catch (RuntimeException e) {
      log.atWarn()
          .addKeyValue("journey", key)
          .log("waking journey {} failed, retrying soon: {}", key, e.getMessage());
      orchestrator.nudgeSoon(key);
    }
  }

  /** Reads a document for saving; {@code pathKey} is the key from the path on an update. */
  private JourneyDefinition readable(JsonNode document, String pathKey) {
    Problems problems = new Problems();
    if (pathKey != null && document != null && document.isObject() && !document.hasNonNull("key")) {
      ((ObjectNode) document).put("key", pathKey);
    }
    JourneyDefinition d = JourneyJson.read(document, problems);
    if (pathKey != null && d != null && d.key() != null && !d.key().equals(pathKey)) {
      problems.add("$.key", "is '" + pathKey + "' (from the path); a journey's key cannot change");
    }
    problems.throwIfAny();
    return d;
  }

  private static JourneyStore.Draft draft(JourneyDefinition d, JsonNode document) {
    return new JourneyStore.Draft(d.name(), d.parent(), document.toString());
  }

  /** Reads and validates a document; every problem goes to {@code problems}. */
  private JourneyDefinition check(JsonNode document, Problems problems) {
    JourneyDefinition d = JourneyJson.read(document, problems);
    if (problems.isEmpty()) {
      JourneyValidator.validate(d, document, context(), problems);
    }
    return d;
  }

  /**
   * A document read and validated as publish would (for a simulation of a draft).
   *
   * @throws io.customerstudio.query.ValidationException with every problem and its path
   */
  public JourneyDefinition checked(JsonNode document) {
    Problems problems = new Problems();
    JourneyDefinition d = check(document, problems);
    problems.throwIfAny();
    return d;
  }

  /** The keys of the destinations a send node may name, sorted. */
  public List<String> destinationKeys() {
    return destinations.list().stream().map(DestinationStore.Destination::key).sorted().toList();
  }

  /** A split node with a holdout group, in a journey's live version. */
  public record HoldoutSplit(String journey, String name, String node) {}

  /**
   * Every split with a holdout group in the journeys' live versions: where a journey holdout log
   * can have rows (the audiences' holdout log page links to them).
   */
  public List<HoldoutSplit> holdoutSplits() {
    List<HoldoutSplit> out = new java.util.ArrayList<>();
    for (JourneyStore.Journey j : store.list()) {
      if (j.liveVersion() == null) {
        continue;
      }
      JsonNode live =
          store
              .version(j.key(), j.liveVersion())
              .map(v -> Json.parseOrNull(v.definition()))
              .orElse(null);
      if (live == null) {
        continue;
      }
      for (JsonNode n : live.path("nodes")) {
        if ("split".equals(n.path("type").asText())) {
          for (JsonNode g : n.path("groups")) {
            if (g.path("holdout").asBoolean(false)) {
              out.add(new HoldoutSplit(j.key(), j.name(), n.path("id").asText()));
              break;
            }
          }
        }
      }
    }
    return out;
  }

  /** Where the canvas draws a node. */
  public record Position(double x, double y) {}

  /**
   * Where the canvas draws the draft's nodes, by node id; a node missing here is laid out by the
   * canvas. Kept beside the document, so the document round-trips unchanged.
   */
  public Map<String, Position> layout(String key) {
    journey(key);
    JsonNode stored = store.layout(key).map(Json::parseOrNull).orElse(null);
    Map<String, Position> layout = new LinkedHashMap<>();
    if (stored != null && stored.isObject()) {
      stored
          .fields()
          .forEachRemaining(
              e -> {
                JsonNode p = e.getValue();
                if (p.path("x").isNumber() && p.path("y").isNumber()) {
                  layout.put(
                      e.getKey(), new Position(p.get("x").asDouble(), p.get("y").asDouble()));
                }
              });
    }
    return layout;
  }

  /**
   * Replaces where the canvas draws the draft's nodes. Not audited: it changes how the journey
   * looks, not what it does.
   */
  public void saveLayout(String key, Map<String, Position> layout) {
    ObjectNode json = MAPPER.createObjectNode();
    layout.forEach((id, p) -> json.putObject(id).put("x", p.x()).put("y", p.y()));
    if (!store.saveLayout(key, json.toString())) {
      throw notFound(key);
    }
  }

  /** The journey's draft document (404 when there is no such journey). */
  public JsonNode draftOf(String key) {
    return Json.parse(journey(key).draft());
  }

  private JourneyValidator.Context context() {
    Catalog catalog = workspace.catalog();
    AudienceCompiler.Resolver resolver = workspace.resolver();
    List<String> keys =
        destinations.list().stream().map(DestinationStore.Destination::key).toList();
    Instant now = clock.instant();
    return new JourneyValidator.Context() {
      @Override
      public Catalog catalog() {
        return catalog;
      }

      @Override
      public AudienceCompiler.Resolver resolver() {
        return resolver;
      }

      @Override
      public Collection<String> destinations() {
        return keys;
      }

      @Override
      public Instant now() {
        return now;
      }
    };
  }

  private JourneyStore.Journey journey(String key) {
    return store.find(key).orElseThrow(() -> notFound(key));
  }

  private Detail detail(JourneyStore.Journey j) {
    List<VersionInfo> versions =
        store.versions(j.key()).stream()
            .map(v -> new VersionInfo(v.version(), v.at(), v.publishedBy()))
            .toList();
    return new Detail(
        j.key(),
        j.name(),
        j.parent(),
        j.state(),
        j.liveVersion(),
        Json.parse(j.draft()),
        versions,
        j.createdBy(),
        j.createdAt(),
        j.updatedBy(),
        j.updatedAt());
  }

  private NotFoundException notFound(String key) {
    List<String> known = store.list().stream().map(JourneyStore.Journey::key).toList();
    return new NotFoundException(
        "Journey '" + key + "' not found" + (known.isEmpty() ? "" : "; known: " + known));
  }

  private static ConflictException stopped(String key) {
    return new ConflictException(
        "Journey '" + key + "' is stopped, which is final; create a new journey instead");
  }

  /** Stored documents are JSON the app wrote. */
  private static final class Json {
    static JsonNode parse(String text) {
      try {
        return MAPPER.readTree(text);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException("stored journey document is not valid JSON", e);
      }
    }

    static JsonNode parseOrNull(String text) {
      try {
        return MAPPER.readTree(text);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        return null;
      }
    }
  }
}
