package io.customerstudio.app.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.audit.AuditTrail;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Records a saved schema in the audit log: one {@code schema} entry (key {@code "schema"}) with the
 * whole document before and after, and one {@code trait} entry per trait added, changed or removed,
 * keyed {@code "<model>.<trait>"}, so a trait's history can be read on its own.
 */
@Component
public class SchemaChanges {

  static final String KEY = "schema";

  private final AuditTrail audit;

  public SchemaChanges(AuditTrail audit) {
    this.audit = audit;
  }

  /**
   * @param before the schema as it was ({@link SchemaService#current()}; no version when none was
   *     saved yet)
   * @param after the schema just saved
   */
  public void record(String user, SchemaService.SchemaView before, SchemaService.SchemaView after) {
    boolean first = before == null || before.version() == null;
    audit.record(
        user,
        AuditTrail.Entity.SCHEMA,
        KEY,
        first ? AuditTrail.Action.CREATE : AuditTrail.Action.UPDATE,
        first ? null : before,
        after);
    Map<String, JsonNode> old = first ? Map.of() : traits(before.document());
    Map<String, JsonNode> now = traits(after.document());
    Set<String> keys = new LinkedHashSet<>(old.keySet());
    keys.addAll(now.keySet());
    for (String key : keys) {
      JsonNode b = old.get(key);
      JsonNode a = now.get(key);
      if (b == null) {
        audit.record(user, AuditTrail.Entity.TRAIT, key, AuditTrail.Action.CREATE, null, a);
      } else if (a == null) {
        audit.record(user, AuditTrail.Entity.TRAIT, key, AuditTrail.Action.DELETE, b, null);
      } else if (!a.equals(b)) {
        audit.record(user, AuditTrail.Entity.TRAIT, key, AuditTrail.Action.UPDATE, b, a);
      }
    }
  }

  /** The document's traits by {@code "<model>.<trait>"}, in document order. */
  static Map<String, JsonNode> traits(JsonNode document) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    if (document != null) {
      for (JsonNode t : document.path("traits")) {
        out.put(t.path("model").asText() + "." + t.path("name").asText(), t);
      }
    }
    return out;
  }
}
