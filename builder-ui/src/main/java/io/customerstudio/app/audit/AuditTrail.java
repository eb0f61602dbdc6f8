package io.customerstudio.app.audit;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.infra.store.AuditStore;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Service;

/**
 * Records every change to a governed thing (spec governance.md, section 8): services call {@link
 * #record} after a change succeeds, with what the thing looked like before and after, as the API
 * shows it. Secrets never reach the log: fields whose names say they hold one are replaced by
 * {@code "[redacted]"}, whatever the caller passed, and so are the values of webhook headers. A
 * flag ({@code "passwordChanged": true}) is kept: it says that a secret changed, not what it is.
 *
 * <p>Called after the change succeeded; a change made inside a transaction records inside it, so
 * the entry and the change are committed together.
 */
@Service
public class AuditTrail {

  /** What was changed: the {@code entity} of an entry. */
  public enum Entity {
    SCHEMA,
    TRAIT,
    AUDIENCE,
    TEMPLATE,
    SPLIT,
    PRIORITY_LIST,
    CONSENT,
    SUBSET_CATEGORY,
    DESTINATION,
    SYNC,
    JOURNEY,
    EVENT_SOURCE,
    USER,
    TOKEN;

    /** The names an API caller may filter by, in declaration order. */
    public static final List<String> WIRE = Arrays.stream(values()).map(Entity::wire).toList();

    @JsonValue
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The entity a wire name (any case) names, if any. */
    public static Optional<Entity> of(String wire) {
      return Arrays.stream(values()).filter(e -> e.wire().equalsIgnoreCase(wire)).findFirst();
    }
  }

  /** How it changed: the {@code action} of an entry. */
  public enum Action {
    CREATE,
    UPDATE,
    DELETE,
    RESTORE,
    REVOKE,
    /** A new secret replaced the old one (a sync's trigger secret); the secret is never logged. */
    ROTATE,
    /** Failed work was queued again (a journey's rejected sends); after says what and how many. */
    RETRY;

    @JsonValue
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The action a stored wire name names. */
    public static Action of(String wire) {
      return valueOf(wire.toUpperCase(Locale.ROOT));
    }
  }

  static final String REDACTED = "[redacted]";

  /** The actor of changes the app makes by itself (the first admin, at start-up). */
  public static final String SYSTEM = "system";

  private static final Set<String> SECRET_WORDS =
      Set.of("password", "secret", "token", "authorization", "apikey", "api_key", "credential");

  private final AuditStore store;
  private final ObjectMapper json;

  public AuditTrail(AuditStore store, ObjectMapper json) {
    this.store = store;
    this.json = json;
  }

  /**
   * Appends one entry. {@code before} and {@code after} are anything Jackson writes (records, maps,
   * JSON nodes), or null when the thing did not exist before or no longer exists after.
   */
  public AuditStore.Entry record(
      String actor, Entity entity, String key, Action action, Object before, Object after) {
    return store.append(
        actor == null ? SYSTEM : actor,
        entity.wire(),
        key,
        action.wire(),
        text(before),
        text(after));
  }

  private String text(Object value) {
    if (value == null) {
      return null;
    }
    JsonNode node = json.valueToTree(value);
    return redact(node).toString();
  }

  /** The node with every secret-looking field's value replaced, and webhook header values. */
  static JsonNode redact(JsonNode node) {
    if (node instanceof ObjectNode o) {
      ObjectNode copy = o.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        String name = f.getKey().toLowerCase(Locale.ROOT);
        JsonNode value = f.getValue();
        // a flag such as "passwordChanged": true says that a secret changed, never what it is
        if (isSecretName(name) && value.isValueNode() && !value.isNull() && !value.isBoolean()) {
          copy.put(f.getKey(), REDACTED);
        } else if (name.equals("headers") && f.getValue() instanceof ObjectNode h) {
          ObjectNode hidden = copy.putObject(f.getKey());
          h.fieldNames().forEachRemaining(n -> hidden.put(n, REDACTED));
        } else {
          copy.set(f.getKey(), redact(f.getValue()));
        }
      }
      return copy;
    }
    if (node instanceof ArrayNode a) {
      ArrayNode copy = a.arrayNode();
      a.forEach(e -> copy.add(redact(e)));
      return copy;
    }
    return node;
  }

  private static boolean isSecretName(String lowerName) {
    return SECRET_WORDS.stream().anyMatch(lowerName::contains);
  }
}
