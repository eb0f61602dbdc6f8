package io.customerstudio.activities.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.infra.store.SyncMode;
import io.customerstudio.infra.store.SyncStore;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a sync sends: the mode, the field mapping ({@code from} a column or trait of the audience's
 * model, {@code to} a destination field) and the identifier, read from the stored JSON. Requests
 * are read and checked before they are stored (builder-ui's sync definitions), so a stored spec is
 * well formed.
 */
public record SyncSpec(SyncMode mode, List<Field> mapping, Field identifier) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The mapping source of a member's split group (governance spec, section 1). */
  public static final String SPLIT_GROUP = "split.group";

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

  /** The columns and traits to select, each once ({@link #SPLIT_GROUP} is not one). */
  public List<String> sources() {
    List<String> out = new ArrayList<>();
    out.add(identifier.from());
    mapping.forEach(f -> out.add(f.from()));
    return out.stream().filter(f -> !f.equals(SPLIT_GROUP)).distinct().toList();
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
