package io.customerstudio.app.audit.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.github.difflib.text.DiffRow;
import com.github.difflib.text.DiffRowGenerator;
import java.util.List;

/**
 * Before and after of an audit entry side by side: both pretty-printed (object keys sorted, so a
 * field that moved is no change), lined up by a line diff, each row saying whether it changed.
 */
final class JsonDiff {

  /** How a row changed: the same on both sides, only before, only after, or different. */
  enum Tag {
    SAME,
    REMOVED,
    ADDED,
    CHANGED
  }

  /** One line of each side ({@code ""} where a side has none). */
  record Row(String before, String after, Tag tag) {}

  private static final ObjectMapper PRETTY =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private JsonDiff() {}

  static List<Row> rows(JsonNode before, JsonNode after) {
    DiffRowGenerator generator =
        DiffRowGenerator.create().showInlineDiffs(false).lineNormalizer(s -> s).build();
    return generator.generateDiffRows(lines(before), lines(after)).stream()
        .map(r -> new Row(r.getOldLine(), r.getNewLine(), tag(r)))
        .toList();
  }

  /** The value pretty-printed, one element per line; none for null (nothing there). */
  static List<String> lines(JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return List.of();
    }
    try {
      // a tree's ObjectNode keeps insertion order; sorting goes through a plain value
      Object plain = PRETTY.treeToValue(value, Object.class);
      return PRETTY.writeValueAsString(plain).lines().toList();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always writes", e);
    }
  }

  private static Tag tag(DiffRow r) {
    return switch (r.getTag()) {
      case EQUAL -> Tag.SAME;
      case INSERT -> Tag.ADDED;
      case DELETE -> Tag.REMOVED;
      case CHANGE -> Tag.CHANGED;
    };
  }
}
