package io.customerstudio.app.schema.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.schema.SchemaService;
import io.customerstudio.query.ValidationException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The schema document an admin is editing, saved one item at a time: an editor hands over its item,
 * the draft puts it at its place in a copy of the document, and the service validates the copy
 * against the warehouse. Only a valid copy becomes the new document (and a new version).
 */
final class SchemaDraft {

  /** A problem with the item being saved: its path below the item ("source.table"), or "". */
  record Problem(String field, String message) {}

  private final SchemaService schema;
  private final String user;
  private ObjectNode document;

  SchemaDraft(SchemaService schema, String user) {
    this.schema = schema;
    this.user = user;
    this.document = (ObjectNode) schema.current().document().deepCopy();
  }

  ObjectNode document() {
    return document;
  }

  ArrayNode items(String section) {
    return document.get(section) instanceof ArrayNode a ? a : document.putArray(section);
  }

  /** The document with {@code item} at {@code index} of {@code section} (-1: appended). */
  ObjectNode with(String section, int index, JsonNode item) {
    ObjectNode copy = document.deepCopy();
    ArrayNode list = copy.get(section) instanceof ArrayNode a ? a : copy.putArray(section);
    if (item == null) {
      list.remove(index);
    } else if (index < 0) {
      list.add(item);
    } else {
      list.set(index, item);
    }
    return copy;
  }

  /** Index the item gets in {@code section} once saved. */
  int indexFor(String section, int index) {
    return index < 0 ? items(section).size() : index;
  }

  /**
   * Saves the document with the item put in place; on problems, hands those about the item to
   * {@code itemProblems} (paths relative to it) and returns false.
   */
  boolean save(String section, int index, JsonNode item, Consumer<List<Problem>> itemProblems) {
    ObjectNode candidate = with(section, index, item);
    try {
      document = (ObjectNode) schema.replace(candidate, user).document().deepCopy();
      return true;
    } catch (ApiException e) {
      itemProblems.accept(
          relative(
              section,
              indexFor(section, index),
              e.errors().isEmpty()
                  ? List.of(new ApiException.FieldError("$", e.getMessage()))
                  : e.errors()));
    } catch (ValidationException e) {
      itemProblems.accept(relative(section, indexFor(section, index), ApiException.errorsOf(e)));
    }
    return false;
  }

  static List<Problem> relative(String section, int index, List<ApiException.FieldError> errors) {
    String prefix = "$." + section + "[" + index + "]";
    List<Problem> out = new ArrayList<>();
    for (ApiException.FieldError e : errors) {
      String p = e.path() == null ? "" : e.path();
      if (p.equals(prefix)) {
        out.add(new Problem("", e.message()));
      } else if (p.startsWith(prefix + ".")) {
        out.add(new Problem(p.substring(prefix.length() + 1), e.message()));
      } else {
        out.add(new Problem("", p + ": " + e.message()));
      }
    }
    return out;
  }
}
