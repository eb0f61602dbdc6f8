package io.customerstudio.app.syncs.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.activities.sync.Schedule;
import io.customerstudio.activities.sync.SyncSpec;
import io.customerstudio.app.syncs.SyncCommand;
import io.customerstudio.infra.store.ScheduleType;
import io.customerstudio.infra.store.SyncMode;
import io.customerstudio.query.Problems;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a sync's JSON body into a {@link SyncCommand}: {@code {key, name?, audience, destination,
 * mode?, mapping?: [{from, to}], identifier: {from, to}, schedule?: {type, every?, expression?,
 * timezone?}, enabled?, snapshots?, splitGroups?: [group]}}, with the API's defaults (mode upsert,
 * no mapping, a manual schedule, enabled, no snapshots, the split's non-holdout groups). Scalars
 * are taken as text, and fields it does not know are ignored, so a body read from {@code GET} can
 * be sent back.
 *
 * <p>It reports only what a command cannot hold (a mode or schedule type no enum names, a flag that
 * is not a boolean) and leaves the field null; a part of the wrong shape (a mapping that is not a
 * list, an entry or identifier that is not an object, a schedule that is not an object) becomes
 * null too, for the sync definitions to report with everything else they check.
 */
final class SyncCommandReader {

  private SyncCommandReader() {}

  /**
   * @param key the sync's key from the path (an update), or null to read it from the body
   * @return the command, or null when the body is not a JSON object ({@code found} says so)
   */
  static SyncCommand read(JsonNode body, String key, Problems found) {
    if (body == null || !body.isObject()) {
      found.add("$", "give the sync as a JSON object");
      return null;
    }
    return new SyncCommand(
        key != null ? key : body.path("key").asText(null),
        body.path("name").asText(null),
        body.path("audience").asText(""),
        body.path("destination").asText(""),
        mode(body.path("mode"), found),
        mapping(body.path("mapping")),
        field(body.path("identifier")),
        schedule(body.path("schedule"), found),
        flag(body.path("enabled"), "$.enabled", true, found),
        flag(body.path("snapshots"), "$.snapshots", false, found),
        subsets(body.path("subsets"), found),
        groups(body.path("splitGroups"), found));
  }

  /** {"category": ["subset", ...]}; null when absent or not of that shape (then reported). */
  private static java.util.Map<String, List<String>> subsets(JsonNode json, Problems found) {
    if (json.isMissingNode() || json.isNull()) {
      return null;
    }
    if (!json.isObject()) {
      found.add("$.subsets", "give an object such as {\"region\": [\"eu\"]}");
      return null;
    }
    java.util.Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    for (var it = json.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getValue().isArray()) {
        found.add("$.subsets." + e.getKey(), "give a list of subset keys");
        return null;
      }
      List<String> keys = new ArrayList<>();
      e.getValue().forEach(v -> keys.add(v.isTextual() ? v.asText() : null));
      out.put(e.getKey(), keys);
    }
    return out;
  }

  /** Null when absent (the default groups); each entry must be text. */
  private static List<String> groups(JsonNode json, Problems found) {
    if (json.isMissingNode() || json.isNull()) {
      return null;
    }
    if (!json.isArray()) {
      found.add("$.splitGroups", "give a list of group names, such as [\"treatment\"]");
      return null;
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < json.size(); i++) {
      if (!json.get(i).isTextual()) {
        found.add("$.splitGroups[" + i + "]", "give a group's name as text");
      } else {
        out.add(json.get(i).asText());
      }
    }
    // positions must stay those of the request for the definitions' own checks
    return out.size() == json.size() ? out : null;
  }

  private static SyncMode mode(JsonNode json, Problems found) {
    String mode = json.asText(SyncMode.UPSERT.wire());
    try {
      return SyncMode.of(mode);
    } catch (IllegalArgumentException e) {
      found.add("$.mode", "one of " + SyncMode.WIRE + " (was \"" + mode + "\")");
      return null;
    }
  }

  /** The entries at their positions, null where one is not an object; null when not a list. */
  private static List<SyncSpec.Field> mapping(JsonNode json) {
    if (json.isMissingNode()) {
      return List.of();
    }
    if (!json.isArray()) {
      return null;
    }
    List<SyncSpec.Field> out = new ArrayList<>();
    json.forEach(entry -> out.add(field(entry)));
    return out;
  }

  private static SyncSpec.Field field(JsonNode json) {
    return json.isObject()
        ? new SyncSpec.Field(json.path("from").asText(""), json.path("to").asText(""))
        : null;
  }

  /** Manual when absent; null when not an object. */
  private static Schedule schedule(JsonNode json, Problems found) {
    if (json.isMissingNode() || json.isNull()) {
      return Schedule.MANUAL;
    }
    if (!json.isObject()) {
      return null;
    }
    String type = json.path("type").asText("");
    ScheduleType known = null;
    try {
      known = ScheduleType.of(type);
    } catch (IllegalArgumentException e) {
      found.add(
          "$.schedule.type",
          "one of " + String.join(", ", ScheduleType.WIRE) + " (was \"" + type + "\")");
    }
    return new Schedule(
        known, text(json, "every"), text(json, "expression"), text(json, "timezone"));
  }

  private static String text(JsonNode json, String field) {
    JsonNode v = json.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static boolean flag(JsonNode json, String path, boolean absent, Problems found) {
    if (!json.isMissingNode() && !json.isBoolean()) {
      found.add(path, "true or false");
    }
    return json.asBoolean(absent);
  }
}
