package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Where a condition sits in its parent: so a row can replace (wrap in NOT) or remove itself. */
interface Slot {

  JsonNode get();

  void set(JsonNode node);

  void remove();

  /** An element of a group's array, found by identity, so removing siblings never confuses it. */
  static Slot element(ArrayNode array, JsonNode node) {
    JsonNode[] current = {node};
    return new Slot() {
      int index() {
        for (int i = 0; i < array.size(); i++) {
          if (array.get(i) == current[0]) {
            return i;
          }
        }
        throw new IllegalStateException("condition no longer in its group");
      }

      @Override
      public JsonNode get() {
        return current[0];
      }

      @Override
      public void set(JsonNode n) {
        array.set(index(), n);
        current[0] = n;
      }

      @Override
      public void remove() {
        array.remove(index());
      }
    };
  }

  /** A field of an object: a NOT's condition, a relation's or event's where, the filter. */
  static Slot field(ObjectNode parent, String name) {
    return new Slot() {
      @Override
      public JsonNode get() {
        return parent.get(name);
      }

      @Override
      public void set(JsonNode n) {
        parent.set(name, n);
      }

      @Override
      public void remove() {
        parent.remove(name);
      }
    };
  }
}
