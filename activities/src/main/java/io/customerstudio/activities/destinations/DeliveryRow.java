package io.customerstudio.activities.destinations;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One row of a batch: an upsert (added or changed member, with its mapped fields) or a delete
 * (removed member, key only).
 *
 * <p>A sync's rows come out of the warehouse with their fields already as a JSON object (the diff
 * table's jsonb). They stay that text until a connector needs values: a webhook or JSONL writes it
 * as it is, so a million rows are not parsed into maps and serialized back.
 */
public final class DeliveryRow {

  private static final ObjectMapper JSON = new ObjectMapper();

  public enum Op {
    UPSERT,
    DELETE;

    public String json() {
      return this == UPSERT ? "upsert" : "delete";
    }
  }

  private final Op op;
  private final String key;
  private final String fieldsJson;
  private Map<String, Object> fields;

  public DeliveryRow(Op op, String key, Map<String, Object> fields) {
    this.op = Objects.requireNonNull(op);
    this.key = key;
    this.fields = fields == null ? Map.of() : fields;
    this.fieldsJson = null;
  }

  private DeliveryRow(Op op, String key, String fieldsJson) {
    this.op = Objects.requireNonNull(op);
    this.key = key;
    this.fieldsJson = Objects.requireNonNull(fieldsJson);
  }

  /** A row whose fields are a JSON object's text, as the warehouse wrote it. */
  public static DeliveryRow ofJson(Op op, String key, String fieldsJson) {
    return new DeliveryRow(op, key, fieldsJson);
  }

  public Op op() {
    return op;
  }

  public String key() {
    return key;
  }

  /** The fields as values, read from the JSON text on first use. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> fields() {
    Map<String, Object> f = fields;
    if (f == null) {
      try {
        f = JSON.readValue(fieldsJson, LinkedHashMap.class);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("row " + key + ": its fields are not a JSON object", e);
      }
      fields = f;
    }
    return f;
  }

  /** The fields as a JSON object's text. */
  public String fieldsJson() {
    if (fieldsJson != null) {
      return fieldsJson;
    }
    try {
      return JSON.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("row " + key + ": a field value cannot be JSON", e);
    }
  }

  /** Writes {@code {"op", "key", "fields"}}, the fields as they are when they came as JSON. */
  public void write(JsonGenerator out) throws IOException {
    out.writeStartObject();
    out.writeStringField("op", op.json());
    out.writeStringField("key", key);
    out.writeFieldName("fields");
    if (fieldsJson != null) {
      out.writeRawValue(fieldsJson);
    } else {
      out.writeObject(fields);
    }
    out.writeEndObject();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeliveryRow r
        && op == r.op
        && Objects.equals(key, r.key)
        && fields().equals(r.fields());
  }

  @Override
  public int hashCode() {
    return Objects.hash(op, key, fields());
  }

  @Override
  public String toString() {
    return "DeliveryRow[op=" + op + ", key=" + key + "]";
  }
}
