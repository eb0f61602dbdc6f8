package io.customerstudio.activities.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.infra.store.SyncStore;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a sync sends: the mode, the field mapping ({@code from} a column or trait of the audience's
 * model, {@code to} a destination field) and the identifier, read from the stored JSON.
 */
public record SyncSpec(String mode, List<Field> mapping, Field identifier) {

  public static final List<String> MODES = List.of("upsert", "mirror", "insert");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One mapped field. */
  public record Field(String from, String to) {}

  public static SyncSpec of(SyncStore.Sync s) {
    try {
      List<Field> mapping = new ArrayList<>();
      for (JsonNode m : JSON.readTree(s.mapping())) {
        mapping.add(new Field(m.path("from").asText(), m.path("to").asText()));
      }
      JsonNode id = JSON.readTree(s.identifier());
      return new SyncSpec(
          s.mode(), mapping, new Field(id.path("from").asText(), id.path("to").asText()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads and checks the mapping and identifier shapes (not whether the columns exist: that needs
   * the catalog). Problems are {@code $.path: message}.
   */
  public static SyncSpec read(JsonNode body, List<String> problems) {
    String mode = body.path("mode").asText("upsert");
    if (!MODES.contains(mode)) {
      problems.add("$.mode: one of " + MODES + " (was \"" + mode + "\")");
    }
    List<Field> mapping = new ArrayList<>();
    JsonNode m = body.path("mapping");
    if (!m.isMissingNode() && !m.isArray()) {
      problems.add("$.mapping: give a list of {\"from\", \"to\"}");
    }
    Set<String> targets = new HashSet<>();
    for (int i = 0; m.isArray() && i < m.size(); i++) {
      Field f = field(m.get(i), "$.mapping[" + i + "]", problems);
      if (f != null) {
        if (!targets.add(f.to())) {
          problems.add("$.mapping[" + i + "].to: \"" + f.to() + "\" is mapped twice");
        }
        mapping.add(f);
      }
    }
    Field identifier = field(body.path("identifier"), "$.identifier", problems);
    if (identifier != null && targets.contains(identifier.to())) {
      problems.add(
          "$.identifier.to: \"" + identifier.to() + "\" is also a mapped field; map it once");
    }
    if (mapping.size() > 49) {
      problems.add("$.mapping: at most 49 fields");
    }
    return new SyncSpec(mode, mapping, identifier);
  }

  private static Field field(JsonNode n, String path, List<String> problems) {
    if (!n.isObject()) {
      problems.add(path + ": give {\"from\": column or trait, \"to\": destination field}");
      return null;
    }
    String from = n.path("from").asText("").strip();
    String to = n.path("to").asText("").strip();
    if (from.isEmpty()) {
      problems.add(path + ".from: give a column or trait of the audience's model");
    }
    if (to.isEmpty()) {
      problems.add(path + ".to: give the destination's field name");
    } else if (to.length() > 100) {
      problems.add(path + ".to: at most 100 characters");
    }
    return from.isEmpty() || to.isEmpty() ? null : new Field(from, to);
  }

  /** The columns and traits to select, each once. */
  public List<String> sources() {
    List<String> out = new ArrayList<>();
    out.add(identifier.from());
    mapping.forEach(f -> out.add(f.from()));
    return out.stream().distinct().toList();
  }

  /** Destination field to source, the identifier first. */
  public Map<String, String> targets() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(identifier.to(), identifier.from());
    mapping.forEach(f -> out.put(f.to(), f.from()));
    return out;
  }

  public String mappingJson() {
    ArrayNode a = JSON.createArrayNode();
    mapping.forEach(f -> a.addObject().put("from", f.from()).put("to", f.to()));
    return a.toString();
  }

  public String identifierJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("from", identifier.from()).put("to", identifier.to());
    return o.toString();
  }
}
