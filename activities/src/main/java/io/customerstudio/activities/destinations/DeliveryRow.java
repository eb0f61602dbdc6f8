package io.customerstudio.activities.destinations;

import java.util.Map;

/**
 * One row of a batch: an upsert (added or changed member, with its mapped fields) or a delete
 * (removed member, key only).
 */
public record DeliveryRow(Op op, String key, Map<String, Object> fields) {

  public enum Op {
    UPSERT,
    DELETE;

    public String json() {
      return this == UPSERT ? "upsert" : "delete";
    }
  }
}
