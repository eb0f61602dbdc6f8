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
import io.customerstudio.query.Problem;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.governance.Consent;
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
 * update keeps the stored one. Who may receive (governance spec, sections 3 and 5): a rule, checked
 * by {@link DestinationRules} against the parents of the syncs that deliver here, and the consent
 * purposes every delivered person must allow, stored trimmed and lower-cased.
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
      JsonNode rule,
      List<String> consentPurposes,
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

  /**
   * Who may receive: a rule (an audience condition's JSON, null for none) and the consent purposes
   * every delivered person must allow (empty for none).
   */
  public record WhoMayReceive(JsonNode rule, List<String> consentPurposes) {
    public static final WhoMayReceive ANYONE = new WhoMayReceive(null, List.of());

    public WhoMayReceive {
      consentPurposes = consentPurposes == null ? List.of() : new ArrayList<>(consentPurposes);
    }
  }

  private final DestinationStore store;
  private final io.customerstudio.infra.store.SyncStore syncs;
  private final SecretBox secrets;
  private final io.customerstudio.app.subsets.SubsetService subsets;
  private final Clock clock;
  private final java.nio.file.Path exportRoot;
  private final AuditTrail audit;
  private final DestinationRules rules;
  private final io.customerstudio.app.journeys.JourneyDefinitions journeys;

  public DestinationService(
      DestinationStore store,
      io.customerstudio.infra.store.SyncStore syncs,
      SecretBox secrets,
      io.customerstudio.infra.config.StudioProperties properties,
      io.customerstudio.app.subsets.SubsetService subsets,
      DestinationRules rules,
      Clock clock,
      AuditTrail audit,
      io.customerstudio.app.journeys.JourneyDefinitions journeys) {
    this.audit = audit;
    this.journeys = journeys;
    this.store = store;
    this.subsets = subsets;
    this.rules = rules;
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
    return create(key, name, type, config, WhoMayReceive.ANYONE, null, user);
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
    return create(key, name, type, config, WhoMayReceive.ANYONE, subsets, user);
  }

  /** Creates a destination with who may receive; every problem at once, by JSON path. */
  public DestinationView create(
      String key, String name, String type, JsonNode config, WhoMayReceive who, String user) {
    return create(key, name, type, config, who, null, user);
  }

  /** Creates a destination with who may receive and the subsets it requires. */
  public DestinationView create(
      String key,
      String name,
      String type,
      JsonNode config,
      WhoMayReceive who,
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
    Governance governance = governance(null, who, errors);
    DestinationStore.Draft draft = draft(name, type, config, Map.of(), errors);
    if (!store.create(key, draft, user)) {
      throw ApiException.conflict("A destination '" + key + "' already exists");
    }
    store.setRuleAndPurposes(key, governance.rule(), governance.purposes());
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
    return update(key, name, type, config, null, null, user);
  }

  /** As above; {@code subsets} null keeps the required subsets, {} lifts them. */
  public DestinationView update(
      String key,
      String name,
      String type,
      JsonNode config,
      Map<String, List<String>> subsets,
      String user) {
    return update(key, name, type, config, null, subsets, user);
  }

  /**
   * {@link #update(String, String, String, JsonNode, String)} that also replaces who may receive:
   * the rule must compile for the parent of every sync that delivers here.
   */
  public DestinationView update(
      String key, String name, String type, JsonNode config, WhoMayReceive who, String user) {
    return update(key, name, type, config, who, null, user);
  }

  /**
   * Replaces the settings; {@code who} null keeps the rule and purposes, {@code subsets} null keeps
   * the required subsets ({} lifts them).
   */
  public DestinationView update(
      String key,
      String name,
      String type,
      JsonNode config,
      WhoMayReceive who,
      Map<String, List<String>> subsets,
      String user) {
    DestinationStore.Destination current = find(key);
    DestinationView before = view(current);
    if (who == null) {
      who = new WhoMayReceive(before.rule(), before.consentPurposes());
    }
    List<ApiException.FieldError> errors = new ArrayList<>();
    Governance governance = governance(key, who, errors);
    Map<String, List<String>> required =
        this.subsets.checkSelection(subsets, "$.subsets", null, errors);
    DestinationStore.Draft draft = draft(name, type, config, unsealed(current), errors);
    store.update(key, draft, user);
    store.setRuleAndPurposes(key, governance.rule(), governance.purposes());
    if (subsets != null) {
      store.setSubsets(key, required);
    }
    DestinationView updated = get(key);
    audit.record(
        user, AuditTrail.Entity.DESTINATION, key, AuditTrail.Action.UPDATE, before, updated);
    return updated;
  }

  /** What to store for who may receive: JSON, or null for none. */
  private record Governance(String rule, String purposes) {}

  /**
   * Checks who may receive, adding each problem to {@code errors}: purposes are non-blank and
   * unique once trimmed and lower-cased; the rule is a condition that compiles for the syncs that
   * deliver to {@code key} (any parent model when it is new or unused).
   */
  private Governance governance(
      String key, WhoMayReceive who, List<ApiException.FieldError> errors) {
    if (who == null) {
      who = WhoMayReceive.ANYONE;
    }
    List<String> purposes = new ArrayList<>();
    for (int i = 0; i < who.consentPurposes().size(); i++) {
      String p = who.consentPurposes().get(i);
      String path = "$.consentPurposes[" + i + "]";
      if (p == null || p.isBlank() || p.length() > 200) {
        errors.add(new ApiException.FieldError(path, "give a purpose of 1 to 200 characters"));
      } else if (purposes.contains(Consent.purpose(p))) {
        errors.add(
            new ApiException.FieldError(
                path, "\"" + Consent.purpose(p) + "\" is listed twice (purposes ignore case)"));
      } else {
        purposes.add(Consent.purpose(p));
      }
    }
    if (purposes.size() > 50) {
      errors.add(new ApiException.FieldError("$.consentPurposes", "at most 50 purposes"));
    }
    String rule = null;
    if (who.rule() != null && !who.rule().isNull()) {
      Problems problems = new Problems();
      Condition c = DestinationRules.read(who.rule(), problems);
      List<Problem> found = problems.isEmpty() ? rules.checkForUse(key, c) : problems.list();
      found.forEach(p -> errors.add(new ApiException.FieldError(p.path(), p.message())));
      rule = who.rule().toString();
    }
    return new Governance(
        rule,
        purposes.isEmpty()
            ? null
            : JsonNodeFactory.instance
                .arrayNode()
                .addAll(purposes.stream().map(JsonNodeFactory.instance::textNode).toList())
                .toString());
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

  /**
   * Refused while a sync delivers here or a journey (not stopped: its draft or any version) sends
   * here, and says which.
   */
  public void delete(String key, String user) {
    DestinationStore.Destination current = find(key);
    List<String> using = syncs.usingDestination(key);
    if (!using.isEmpty()) {
      throw ApiException.conflict(
          "Destination '" + key + "' is used by sync(s) " + using + "; delete those first");
    }
    List<String> sending = journeys.usingDestination(key);
    if (!sending.isEmpty()) {
      throw ApiException.conflict(
          "Destination '"
              + key
              + "' is used by journey(s) "
              + sending
              + "; remove their send nodes or stop those journeys first");
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
    DestinationStore.Governance g = store.governance(d.key());
    List<String> purposes = new ArrayList<>();
    if (g.consentPurposes() != null) {
      Json.parse(g.consentPurposes()).forEach(p -> purposes.add(p.asText()));
    }
    return new DestinationView(
        d.key(),
        d.name(),
        d.type(),
        config,
        set,
        d.updatedBy(),
        d.updatedAt(),
        g.rule() == null ? null : Json.parse(g.rule()),
        List.copyOf(purposes),
        store.subsets(d.key()));
  }
}
