package io.customerstudio.app.destinations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.activities.destinations.Connectors;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.api.Json;
import io.customerstudio.infra.secrets.SecretBox;
import io.customerstudio.infra.store.DestinationStore;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;

/**
 * Destinations: validated per type, their secret fields sealed with the master key on the way in
 * and never shown again (a view lists which secrets are set, not their values). Leaving a secret
 * out of an update keeps the stored one.
 */
@Service
public class DestinationService {

  static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");

  public record DestinationView(
      String key,
      String name,
      String type,
      JsonNode config,
      List<String> secretsSet,
      String updatedBy,
      OffsetDateTime updatedAt) {}

  public record TestResult(boolean ok, String message) {}

  private final DestinationStore store;
  private final io.customerstudio.infra.store.SyncStore syncs;
  private final SecretBox secrets;
  private final Clock clock;
  private final java.nio.file.Path exportRoot;

  public DestinationService(
      DestinationStore store,
      io.customerstudio.infra.store.SyncStore syncs,
      SecretBox secrets,
      io.customerstudio.infra.config.StudioProperties properties,
      Clock clock) {
    this.store = store;
    this.syncs = syncs;
    this.secrets = secrets;
    this.exportRoot = properties.exports();
    this.clock = clock;
  }

  public List<DestinationView> list() {
    return store.list().stream().map(this::view).toList();
  }

  public DestinationView get(String key) {
    return view(find(key));
  }

  public DestinationView create(
      String key, String name, String type, JsonNode config, String user) {
    List<ApiException.FieldError> errors = new ArrayList<>();
    if (key == null || !KEY.matcher(key).matches()) {
      errors.add(
          new ApiException.FieldError(
              "$.key", "use 1 to 100 lower-case letters, digits, '-' or '_'"));
    } else if (store.find(key).isPresent()) {
      throw ApiException.conflict("A destination '" + key + "' already exists");
    }
    DestinationStore.Draft draft = draft(name, type, config, Map.of(), errors);
    if (!store.create(key, draft, user)) {
      throw ApiException.conflict("A destination '" + key + "' already exists");
    }
    return get(key);
  }

  public DestinationView update(
      String key, String name, String type, JsonNode config, String user) {
    DestinationStore.Destination current = find(key);
    DestinationStore.Draft draft = draft(name, type, config, unsealed(current), new ArrayList<>());
    store.update(key, draft, user);
    return get(key);
  }

  /** Refused while a sync delivers here, and says which. */
  public void delete(String key) {
    find(key);
    List<String> using = syncs.usingDestination(key);
    if (!using.isEmpty()) {
      throw ApiException.conflict(
          "Destination '" + key + "' is used by sync(s) " + using + "; delete those first");
    }
    store.delete(key);
  }

  /** One request to the destination, nothing delivered: does it answer? */
  public TestResult test(String key) {
    DestinationStore.Destination d = find(key);
    Optional<String> problem = Connectors.open(d, secrets, exportRoot, clock).test();
    return problem
        .map(p -> new TestResult(false, p))
        .orElse(new TestResult(true, "The destination answered."));
  }

  private DestinationStore.Draft draft(
      String name,
      String type,
      JsonNode config,
      Map<String, String> kept,
      List<ApiException.FieldError> errors) {
    if (name == null || name.isBlank() || name.length() > 200) {
      errors.add(new ApiException.FieldError("$.name", "give a name of 1 to 200 characters"));
    }
    Connectors.Type t = Connectors.type(type);
    if (t == null) {
      errors.add(
          new ApiException.FieldError(
              "$.type",
              "one of " + Connectors.types().stream().map(Connectors.Type::name).toList()));
      throw ApiException.invalid(errors);
    }
    if (config == null || !config.isObject()) {
      errors.add(new ApiException.FieldError("$.config", "give the settings as an object"));
      throw ApiException.invalid(errors);
    }
    ObjectNode open = (ObjectNode) config.deepCopy();
    Map<String, String> secret = new LinkedHashMap<>(kept);
    for (String field : t.secretFields()) {
      JsonNode v = open.remove(field);
      if (v != null && !v.isNull()) {
        if (!v.isTextual()) {
          errors.add(new ApiException.FieldError("$.config." + field, "give a text value"));
        } else {
          secret.put(field, v.asText());
        }
      }
    }
    for (String p : Connectors.problems(t.name(), open, secret, exportRoot)) {
      int colon = p.indexOf(':');
      errors.add(
          new ApiException.FieldError(
              "$.config." + p.substring(0, colon), p.substring(colon + 1).strip()));
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    ObjectNode sealed = JsonNodeFactory.instance.objectNode();
    secret.forEach((k, v) -> sealed.put(k, secrets.seal(v)));
    return new DestinationStore.Draft(name.strip(), t.name(), open.toString(), sealed.toString());
  }

  private Map<String, String> unsealed(DestinationStore.Destination d) {
    return Connectors.unsealed(d, secrets);
  }

  private DestinationStore.Destination find(String key) {
    return store
        .find(key)
        .orElseThrow(() -> ApiException.notFound("Destination '" + key + "' not found"));
  }

  private DestinationView view(DestinationStore.Destination d) {
    List<String> set = new ArrayList<>();
    Json.parse(d.secrets()).fieldNames().forEachRemaining(set::add);
    return new DestinationView(
        d.key(), d.name(), d.type(), Json.parse(d.config()), set, d.updatedBy(), d.updatedAt());
  }
}
