package io.customerstudio.app.destinations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.activities.destinations.Connectors;
import io.customerstudio.activities.destinations.SecretSettings;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.api.Json;
import io.customerstudio.app.audit.AuditTrail;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Service;

/**
 * Destinations: validated per type, their secrets ({@link SecretSettings}: secret fields, webhook
 * header values, credentials in a JDBC URL) sealed with the master key on the way in and never
 * shown again (a view lists which secrets are set, not their values). Leaving a secret out of an
 * update keeps the stored one.
 */
@Service
public class DestinationService implements InitializingBean {

  private static final Logger log = LoggerFactory.getLogger(DestinationService.class);

  static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");

  public record DestinationView(
      String key,
      String name,
      String type,
      JsonNode config,
      List<String> secretsSet,
      String updatedBy,
      OffsetDateTime updatedAt,
      Map<String, List<String>> subsets) {

    /** The webhook headers that are set; their values are secrets, never shown. */
    public List<String> headerNames() {
      return secretsSet.stream()
          .filter(n -> n.startsWith(SecretSettings.HEADER))
          .map(n -> n.substring(SecretSettings.HEADER.length()))
          .toList();
    }
  }

  public record TestResult(boolean ok, String message) {}

  private final DestinationStore store;
  private final io.customerstudio.infra.store.SyncStore syncs;
  private final SecretBox secrets;
  private final io.customerstudio.app.subsets.SubsetService subsets;
  private final Clock clock;
  private final java.nio.file.Path exportRoot;
  private final AuditTrail audit;

  public DestinationService(
      DestinationStore store,
      io.customerstudio.infra.store.SyncStore syncs,
      SecretBox secrets,
      io.customerstudio.infra.config.StudioProperties properties,
      io.customerstudio.app.subsets.SubsetService subsets,
      Clock clock,
      AuditTrail audit) {
    this.audit = audit;
    this.store = store;
    this.subsets = subsets;
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
    return create(key, name, type, config, null, user);
  }

  /**
   * Creates a destination that requires {@code subsets} ({@code {"region": ["eu"]}}; null or {}:
   * none): rows outside them are not delivered (reason "subset").
   */
  public DestinationView create(
      String key,
      String name,
      String type,
      JsonNode config,
      Map<String, List<String>> subsets,
      String user) {
    List<ApiException.FieldError> errors = new ArrayList<>();
    Map<String, List<String>> required =
        this.subsets.checkSelection(subsets, "$.subsets", null, errors);
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
    store.setSubsets(key, required);
    DestinationView created = get(key);
    audit.record(user, AuditTrail.Entity.DESTINATION, key, AuditTrail.Action.CREATE, null, created);
    return created;
  }

  /**
   * Replaces the settings. Secrets the body leaves out keep their stored values: a secret field,
   * the password, a header not named (a header named with null is removed).
   */
  public DestinationView update(
      String key, String name, String type, JsonNode config, String user) {
    return update(key, name, type, config, null, user);
  }

  /** As above; {@code subsets} null keeps the required subsets, {} lifts them. */
  public DestinationView update(
      String key,
      String name,
      String type,
      JsonNode config,
      Map<String, List<String>> subsets,
      String user) {
    DestinationStore.Destination current = find(key);
    List<ApiException.FieldError> errors = new ArrayList<>();
    Map<String, List<String>> required =
        this.subsets.checkSelection(subsets, "$.subsets", null, errors);
    DestinationStore.Draft draft = draft(name, type, config, unsealed(current), errors);
    store.update(key, draft, user);
    if (subsets != null) {
      store.setSubsets(key, required);
    }
    DestinationView updated = get(key);
    audit.record(
        user, AuditTrail.Entity.DESTINATION, key, AuditTrail.Action.UPDATE, view(current), updated);
    return updated;
  }

  /**
   * Seals what destinations saved before header values and URL credentials were secrets still hold
   * in the clear. Runs once at start; a destination already sealed is left untouched.
   */
  @Override
  public void afterPropertiesSet() {
    for (DestinationStore.Destination d : store.list()) {
      Connectors.Type t = Connectors.type(d.type());
      if (t == null) {
        continue;
      }
      SecretSettings.Split split = SecretSettings.split(t, Json.parse(d.config()));
      if (split.secrets().isEmpty()) {
        continue;
      }
      Map<String, String> all = new LinkedHashMap<>(split.secrets());
      unsealed(d).forEach(all::putIfAbsent);
      store.update(
          d.key(),
          new DestinationStore.Draft(d.name(), d.type(), split.open().toString(), seal(all)),
          d.updatedBy());
      log.info(
          "Destination '{}': sealed {} secret setting(s) stored in the clear",
          d.key(),
          split.secrets().size());
    }
  }

  /** Refused while a sync delivers here, and says which. */
  public void delete(String key, String user) {
    DestinationStore.Destination current = find(key);
    List<String> using = syncs.usingDestination(key);
    if (!using.isEmpty()) {
      throw ApiException.conflict(
          "Destination '" + key + "' is used by sync(s) " + using + "; delete those first");
    }
    store.delete(key);
    audit.record(
        user, AuditTrail.Entity.DESTINATION, key, AuditTrail.Action.DELETE, view(current), null);
  }

  /** The subset categories a destination may require, for the editor. */
  public List<io.customerstudio.app.subsets.SubsetService.CategoryView> subsetCategories() {
    return subsets.list();
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
    SecretSettings.Split split = SecretSettings.split(t, config);
    Map<String, String> secret = new LinkedHashMap<>();
    kept.forEach(
        (k, v) -> {
          if (SecretSettings.belongsTo(t, k) && !split.removed().contains(k)) {
            secret.put(k, v);
          }
        });
    secret.putAll(split.secrets());
    List<String> problems = new ArrayList<>(split.problems());
    if (split.problems().isEmpty()) {
      problems.addAll(
          Connectors.problems(
              t.name(), SecretSettings.merge(t.name(), split.open(), secret), secret, exportRoot));
    }
    for (String p : problems) {
      int colon = p.indexOf(':');
      errors.add(
          new ApiException.FieldError(
              "$.config." + p.substring(0, colon), p.substring(colon + 1).strip()));
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    return new DestinationStore.Draft(
        name.strip(), t.name(), split.open().toString(), seal(secret));
  }

  private String seal(Map<String, String> secret) {
    ObjectNode sealed = JsonNodeFactory.instance.objectNode();
    secret.forEach((k, v) -> sealed.put(k, secrets.seal(v)));
    return sealed.toString();
  }

  private Map<String, String> unsealed(DestinationStore.Destination d) {
    return Connectors.unsealed(d, secrets);
  }

  private DestinationStore.Destination find(String key) {
    return store
        .find(key)
        .orElseThrow(() -> ApiException.notFound("Destination '" + key + "' not found"));
  }

  /** What anyone who may read destinations sees: settings without secrets, and secret names. */
  private DestinationView view(DestinationStore.Destination d) {
    List<String> set = new ArrayList<>();
    Json.parse(d.secrets()).fieldNames().forEachRemaining(set::add);
    JsonNode config = Json.parse(d.config());
    Connectors.Type t = Connectors.type(d.type());
    if (t != null) {
      // never show a secret, even one stored in the clear before it was one
      SecretSettings.Split split = SecretSettings.split(t, config);
      config = split.open();
      split.secrets().keySet().stream().filter(k -> !set.contains(k)).forEach(set::add);
    }
    return new DestinationView(
        d.key(),
        d.name(),
        d.type(),
        config,
        set,
        d.updatedBy(),
        d.updatedAt(),
        store.subsets(d.key()));
  }
}
