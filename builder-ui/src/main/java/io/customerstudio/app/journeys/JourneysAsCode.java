package io.customerstudio.app.journeys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.api.Json;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.infra.store.JourneyCodeStore;
import io.customerstudio.infra.store.JourneyStore;
import io.customerstudio.infra.store.JourneyStore.State;
import io.customerstudio.query.Problems;
import io.customerstudio.query.journey.JourneyDefinition;
import io.customerstudio.query.journey.JourneyJson;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Service;

/**
 * Journeys in the workspace document (export/import): each journey's draft, state and published
 * versions. An import adds the versions the workspace does not have (published versions never
 * change: a version whose number exists with another document is refused) and replaces the draft.
 * It never starts anything: a journey that gets versions is left {@code paused}, so an operator
 * resumes it deliberately; one without any stays a {@code draft}; the exported {@code state} is
 * shown, not applied. Items absent from the document are left alone.
 */
@Service
public class JourneysAsCode {

  static final Set<String> FIELDS =
      Set.of("key", "name", "parent", "state", "liveVersion", "draft", "versions");
  static final Set<String> VERSION_FIELDS =
      Set.of("version", "definition", "publishedBy", "publishedAt");

  /** One journey of a document, read and checked, with what applying it would do. */
  public record Planned(
      String key,
      JourneyDefinition draft,
      String draftText,
      List<JourneyCodeStore.ImportedVersion> newVersions,
      boolean exists,
      boolean unchanged) {}

  private final JourneyStore journeys;
  private final JourneyCodeStore code;
  private final JourneyDefinitions definitions;
  private final AuditTrail audit;

  public JourneysAsCode(
      JourneyStore journeys,
      JourneyCodeStore code,
      JourneyDefinitions definitions,
      AuditTrail audit) {
    this.journeys = journeys;
    this.code = code;
    this.definitions = definitions;
    this.audit = audit;
  }

  /** Every journey: key, name, parent, state, live version, draft and versions (oldest first). */
  public ArrayNode export() {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    for (JourneyStore.Journey j : journeys.list()) {
      ObjectNode o = out.addObject();
      o.put("key", j.key());
      o.put("name", j.name());
      o.put("parent", j.parent());
      o.put("state", j.state().wire());
      if (j.liveVersion() != null) {
        o.put("liveVersion", j.liveVersion());
      }
      o.set("draft", Json.parse(j.draft()));
      ArrayNode vs = o.putArray("versions");
      for (JourneyStore.Version v : journeys.versions(j.key())) {
        ObjectNode vo = vs.addObject();
        vo.put("version", v.version());
        vo.set("definition", Json.parse(v.definition()));
        vo.put("publishedBy", v.publishedBy());
        vo.put("publishedAt", v.at().toInstant().toString());
      }
    }
    return out;
  }

  /**
   * Reads the document's journeys (at {@code $.journeys}) and compares them with the workspace;
   * every problem goes to {@code problems} with its path.
   */
  public List<Planned> plan(JsonNode list, Problems problems) {
    List<Planned> out = new ArrayList<>();
    if (list == null || list.isMissingNode() || list.isNull()) {
      return out;
    }
    if (!list.isArray()) {
      problems.add("$.journeys", "give an array");
      return out;
    }
    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String path = "$.journeys[" + i + "]";
      Planned p = planOne(list.get(i), path, problems);
      if (p != null && !seen.add(p.key())) {
        problems.add(path + ".key", "journey '" + p.key() + "' appears twice in the document");
      } else if (p != null) {
        out.add(p);
      }
    }
    return out;
  }

  /**
   * Applies planned journeys in the caller's transaction, auditing each change as the API shows the
   * journey. Returns nothing: {@link #plan} said what changes.
   */
  public void apply(List<Planned> planned, String user) {
    for (Planned p : planned) {
      if (p.unchanged()) {
        continue;
      }
      JourneyDefinitions.Detail before = p.exists() ? definitions.find(p.key()) : null;
      code.put(
          p.key(),
          p.draft().name(),
          p.draft().parent(),
          p.draftText(),
          p.newVersions(),
          State.PAUSED,
          user);
      audit.record(
          user,
          AuditTrail.Entity.JOURNEY,
          p.key(),
          before == null ? AuditTrail.Action.CREATE : AuditTrail.Action.UPDATE,
          before,
          definitions.find(p.key()));
    }
  }

  // ---------------------------------------------------------------- internals

  private Planned planOne(JsonNode item, String path, Problems problems) {
    if (item == null || !item.isObject()) {
      problems.add(path, "give an object: {key, draft, versions}");
      return null;
    }
    item.fieldNames()
        .forEachRemaining(
            f -> {
              if (!FIELDS.contains(f)) {
                problems.add(
                    path + "." + f, "unknown field; expected " + FIELDS.stream().sorted().toList());
              }
            });
    String key = item.path("key").isTextual() ? item.get("key").asText() : null;
    if (key == null) {
      problems.add(path + ".key", "is required");
      return null;
    }
    JsonNode draftJson = item.get("draft");
    if (draftJson == null || !draftJson.isObject()) {
      problems.add(path + ".draft", "give the journey's draft document");
      return null;
    }
    int before = problems.list().size();
    JourneyDefinition draft = read(draftJson, path + ".draft", problems);
    if (draft != null && draft.key() != null && !draft.key().equals(key)) {
      problems.add(
          path + ".draft.key", "is '" + draft.key() + "', not the journey's '" + key + "'");
    }
    Map<Integer, JourneyCodeStore.ImportedVersion> versions = new LinkedHashMap<>();
    JsonNode vs = item.path("versions");
    if (!vs.isMissingNode() && !vs.isNull() && !vs.isArray()) {
      problems.add(path + ".versions", "give an array");
    }
    for (int j = 0; vs.isArray() && j < vs.size(); j++) {
      version(vs.get(j), path + ".versions[" + j + "]", versions, problems);
    }
    if (problems.list().size() > before || draft == null) {
      return null;
    }
    Optional<JourneyStore.Journey> target = journeys.find(key);
    Map<Integer, String> existing = new LinkedHashMap<>();
    journeys.versions(key).forEach(v -> existing.put(v.version(), v.definition()));
    int newest = existing.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
    List<JourneyCodeStore.ImportedVersion> added = new ArrayList<>();
    int j = 0;
    for (JourneyCodeStore.ImportedVersion v : versions.values()) {
      String at = path + ".versions[" + (j++) + "]";
      String have = existing.get(v.version());
      if (have != null) {
        if (!Json.parse(have).equals(Json.parse(v.definition()))) {
          problems.add(
              at + ".definition",
              "version "
                  + v.version()
                  + " of journey '"
                  + key
                  + "' differs from this workspace's; published versions never change");
        }
      } else if (v.version() < newest) {
        problems.add(
            at + ".version",
            "this workspace's journey '"
                + key
                + "' is at version "
                + newest
                + " already; only newer versions can be added");
      } else {
        added.add(v);
      }
    }
    String draftText = draftJson.toString();
    boolean sameDraft = target.isPresent() && Json.parse(target.get().draft()).equals(draftJson);
    boolean unchanged = sameDraft && added.isEmpty();
    if (!unchanged && target.isPresent() && target.get().state() == State.STOPPED) {
      problems.add(
          path, "journey '" + key + "' is stopped in this workspace, which is final; leave it out");
    }
    return new Planned(key, draft, draftText, added, target.isPresent(), unchanged);
  }

  private static void version(
      JsonNode v,
      String path,
      Map<Integer, JourneyCodeStore.ImportedVersion> out,
      Problems problems) {
    if (v == null || !v.isObject()) {
      problems.add(path, "give an object: {version, definition}");
      return;
    }
    v.fieldNames()
        .forEachRemaining(
            f -> {
              if (!VERSION_FIELDS.contains(f)) {
                problems.add(
                    path + "." + f,
                    "unknown field; expected " + VERSION_FIELDS.stream().sorted().toList());
              }
            });
    if (!v.path("version").canConvertToExactIntegral()
        || !v.path("version").canConvertToInt()
        || v.path("version").asInt() < 1) {
      problems.add(path + ".version", "give the version's number, 1 or more");
      return;
    }
    int number = v.get("version").asInt();
    if (out.containsKey(number)) {
      problems.add(path + ".version", "version " + number + " appears twice");
      return;
    }
    JsonNode definition = v.get("definition");
    if (definition == null || !definition.isObject()) {
      problems.add(path + ".definition", "give the version's document");
      return;
    }
    read(definition, path + ".definition", problems);
    OffsetDateTime at = null;
    if (v.hasNonNull("publishedAt")) {
      try {
        at = OffsetDateTime.parse(v.get("publishedAt").asText());
        if (at.getYear() < 1 || at.getYear() > 9999) {
          throw new DateTimeParseException("out of range", v.get("publishedAt").asText(), 0);
        }
      } catch (DateTimeParseException e) {
        problems.add(path + ".publishedAt", "give an ISO-8601 time such as 2026-12-01T10:00:00Z");
      }
    }
    String by = v.path("publishedBy").isTextual() ? v.get("publishedBy").asText() : null;
    if (by != null && (by.isBlank() || by.length() > 64)) {
      problems.add(path + ".publishedBy", "give a username of 1 to 64 characters");
    }
    out.put(number, new JourneyCodeStore.ImportedVersion(number, definition.toString(), by, at));
  }

  /** Reads a journey document, its problems added to {@code into} under {@code at}. */
  private static JourneyDefinition read(JsonNode json, String at, Problems into) {
    Problems own = new Problems();
    JourneyDefinition d = JourneyJson.read(json, own);
    own.list()
        .forEach(
            p ->
                into.add(
                    at + (p.path().startsWith("$") ? p.path().substring(1) : "." + p.path()),
                    p.message()));
    return d;
  }
}
