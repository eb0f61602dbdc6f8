package io.customerstudio.app.syncs;

import io.customerstudio.activities.destinations.Connector;
import io.customerstudio.activities.destinations.Connectors;
import io.customerstudio.activities.sync.Schedule;
import io.customerstudio.activities.sync.SyncEngine;
import io.customerstudio.activities.sync.SyncSpec;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.app.destinations.DestinationRules;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.app.splits.SplitService;
import io.customerstudio.app.subsets.SubsetService;
import io.customerstudio.infra.config.StudioProperties;
import io.customerstudio.infra.secrets.SecretBox;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SyncMode;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.Problem;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.governance.Split;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.workflows.sync.SyncService;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;

/**
 * Sync definitions: list, create, update, enable, delete, and the trigger secret. A {@link
 * SyncCommand} is checked against the audience's model (mapped columns and traits exist) and the
 * destination (it takes the mode) before anything is saved; every problem is reported at once, as a
 * {@link ValidationException} whose paths name the request's fields ({@code $.mapping[0].from}). A
 * saved change reaches the sync's scheduler at once.
 */
@Service
public class SyncDefinitions {

  static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,99}");

  /** The most fields a mapping may hold, beside the identifier. */
  static final int MAX_FIELDS = 49;

  public record SyncView(
      String key,
      String name,
      String audience,
      String destination,
      SyncMode mode,
      List<SyncSpec.Field> mapping,
      SyncSpec.Field identifier,
      Schedule schedule,
      String scheduleText,
      boolean enabled,
      boolean snapshots,
      RunSummary lastRun,
      String updatedBy,
      OffsetDateTime updatedAt,
      Map<String, List<String>> subsets,
      List<String> splitGroups) {}

  /** A create's answer: the sync, and its trigger secret, shown this once. */
  public record Created(SyncView sync, String triggerSecret) {}

  public record RunSummary(
      String runId, String status, OffsetDateTime queuedAt, OffsetDateTime finishedAt) {}

  private final SyncStore syncs;
  private final RunStore runs;
  private final AudienceStore audiences;
  private final DestinationStore destinations;
  private final SecretBox secrets;
  private final Workspace workspace;
  private final SyncEngine engine;
  private final SyncService workflows;
  private final SplitService splits;
  private final Path exportRoot;
  private final SubsetService subsets;
  private final DestinationRules rules;
  private final Clock clock;
  private final AuditTrail audit;
  private final SecureRandom random = new SecureRandom();

  public SyncDefinitions(
      SyncStore syncs,
      RunStore runs,
      AudienceStore audiences,
      DestinationStore destinations,
      SecretBox secrets,
      Workspace workspace,
      SyncEngine engine,
      SyncService workflows,
      SplitService splits,
      StudioProperties properties,
      SubsetService subsets,
      DestinationRules rules,
      Clock clock,
      AuditTrail audit) {
    this.subsets = subsets;
    this.rules = rules;
    this.audit = audit;
    this.syncs = syncs;
    this.runs = runs;
    this.audiences = audiences;
    this.destinations = destinations;
    this.secrets = secrets;
    this.workspace = workspace;
    this.engine = engine;
    this.workflows = workflows;
    this.splits = splits;
    this.exportRoot = properties.exports();
    this.clock = clock;
  }

  public List<SyncView> list() {
    return syncs.list().stream().map(this::view).toList();
  }

  /**
   * @throws NotFoundException when there is no such sync
   */
  public SyncView get(String key) {
    return view(find(key));
  }

  /**
   * Creates a sync and starts its schedule.
   *
   * @throws ValidationException naming each field at fault
   * @throws ConflictException when the key is taken
   */
  public Created create(SyncCommand command, String user) {
    return create(command, new Problems(), user);
  }

  /**
   * {@link #create(SyncCommand, String)} for a command read from a request: {@code found} holds the
   * problems met while reading it (the command is null when nothing could be read). They are
   * reported with the definitions' own, which leave out the fields {@code found} already names.
   */
  public Created create(SyncCommand command, Problems found, String user) {
    String key = command == null ? null : command.key();
    List<Problem> problems = new ArrayList<>();
    if (key == null || !KEY.matcher(key).matches()) {
      problems.add(new Problem("$.key", "use 1 to 100 lower-case letters, digits, '-' or '_'"));
    } else if (syncs.find(key).isPresent()) {
      throw taken(key);
    }
    Map<String, List<String>> required = required(command, problems);
    SyncStore.Draft draft = draft(key, command, found, problems);
    String secret = newSecret();
    if (!syncs.create(key, draft, secrets.seal(secret), user)) {
      throw taken(key);
    }
    syncs.setSubsets(key, required);
    syncs.setSplitGroups(key, groupsJson(command.splitGroups()));
    SyncStore.Sync created = find(key);
    workflows.apply(created);
    SyncView view = view(created);
    audit.record(user, AuditTrail.Entity.SYNC, key, AuditTrail.Action.CREATE, null, view);
    return new Created(view, secret);
  }

  /**
   * Replaces a sync's settings (the command's key is ignored). A new destination starts from
   * nothing: it has received nothing yet.
   *
   * @throws NotFoundException when there is no such sync
   * @throws ValidationException naming each field at fault
   */
  public SyncView update(String key, SyncCommand command, String user) {
    return update(key, command, new Problems(), user);
  }

  /** {@link #update(String, SyncCommand, String)} for a command read from a request. */
  public SyncView update(String key, SyncCommand command, Problems found, String user) {
    SyncStore.Sync current = find(key);
    List<Problem> problems = new ArrayList<>();
    Map<String, List<String>> required = required(command, problems);
    SyncStore.Draft draft = draft(key, command, found, problems);
    if (!draft.destination().equals(current.destination())) {
      engine.resetState(key); // the new destination has received nothing yet
    }
    SyncView before = view(current);
    syncs.update(key, draft, user);
    if (command.subsets() != null) {
      syncs.setSubsets(key, required);
    }
    syncs.setSplitGroups(key, groupsJson(command.splitGroups()));
    SyncStore.Sync updated = find(key);
    workflows.apply(updated);
    SyncView after = view(updated);
    audit.record(user, AuditTrail.Entity.SYNC, key, AuditTrail.Action.UPDATE, before, after);
    return after;
  }

  public SyncView setEnabled(String key, boolean enabled, String user) {
    SyncView before = view(find(key));
    syncs.setEnabled(key, enabled, user);
    SyncStore.Sync s = find(key);
    workflows.apply(s);
    SyncView after = view(s);
    audit.record(user, AuditTrail.Entity.SYNC, key, AuditTrail.Action.UPDATE, before, after);
    return after;
  }

  /**
   * A new trigger secret, returned this once; the old one stops working. The audit log records that
   * it was rotated, never the secret.
   */
  public String rotateSecret(String key, String user) {
    SyncView before = view(find(key));
    String secret = newSecret();
    syncs.setTriggerSecret(key, secrets.seal(secret));
    audit.record(
        user, AuditTrail.Entity.SYNC, key, AuditTrail.Action.ROTATE, before, view(find(key)));
    return secret;
  }

  /** Deletes the sync with its schedule, run history and delivered state. */
  public void delete(String key, String user) {
    SyncView before = view(find(key));
    workflows.remove(key);
    engine.resetState(key);
    syncs.delete(key);
    audit.record(user, AuditTrail.Entity.SYNC, key, AuditTrail.Action.DELETE, before, null);
  }

  /**
   * The subsets a command requires, checked against the categories of its audience's parent;
   * problems go to {@code problems} at {@code $.subsets...}.
   */
  private Map<String, List<String>> required(SyncCommand c, List<Problem> problems) {
    if (c == null || c.subsets() == null) {
      return null;
    }
    String parent =
        c.audience() == null
            ? null
            : audiences.find(c.audience()).map(AudienceStore.Audience::parentModel).orElse(null);
    List<ApiException.FieldError> errors = new ArrayList<>();
    Map<String, List<String>> checked =
        subsets.checkSelection(c.subsets(), "$.subsets", parent, errors);
    errors.forEach(e -> problems.add(new Problem(e.path(), e.message())));
    return checked;
  }

  /** The subset categories a sync may require, for the editor. */
  public List<SubsetService.CategoryView> subsetCategories() {
    return subsets.list();
  }

  /**
   * The columns and traits a mapping may read: the audience's model's, and {@value
   * SplitService#GROUP_SOURCE} (the member's group) when the audience has a split.
   */
  public List<String> sources(String audience) {
    List<String> out = new ArrayList<>(identifierSources(audience));
    if (!out.isEmpty() && splits.split(audience).isPresent()) {
      out.add(SplitService.GROUP_SOURCE);
    }
    return out;
  }

  /** The columns and traits an identifier may come from: the audience's model's. */
  public List<String> identifierSources(String audience) {
    AudienceStore.Audience a = audiences.find(audience).orElse(null);
    if (a == null) {
      return List.of();
    }
    Catalog catalog = workspace.catalog();
    return catalog
        .model(a.parentModel())
        .map(
            m -> {
              List<String> out = new ArrayList<>(m.columnsByName().keySet());
              catalog.traits(m).forEach(t -> out.add(t.def().name()));
              return out;
            })
        .orElse(List.of());
  }

  /** The audience's split, if it has one: the groups a sync of it may deliver. */
  public java.util.Optional<Split> split(String audience) {
    return splits.split(audience);
  }

  /**
   * Checks a command and returns what to save, or throws every problem: {@code problems} (found so
   * far by the caller), then those of {@code found}, then the command's own, except at paths {@code
   * found} names (the reader said it better: it saw the value that could not be read).
   */
  private SyncStore.Draft draft(String key, SyncCommand c, Problems found, List<Problem> problems) {
    problems.addAll(found.list());
    if (c == null) {
      throw new ValidationException(problems);
    }
    Set<String> reported = found.list().stream().map(Problem::path).collect(Collectors.toSet());
    List<Problem> own = new ArrayList<>();
    String name = (c.name() == null ? (key == null ? "" : key) : c.name()).strip();
    if (name.isEmpty() || name.length() > 200) {
      own.add(new Problem("$.name", "give a name of 1 to 200 characters"));
    }
    if (c.mode() == null) {
      own.add(new Problem("$.mode", "one of " + SyncMode.WIRE));
    }
    List<SyncSpec.Field> mapping = mapping(c.mapping(), own);
    SyncSpec.Field identifier = field(c.identifier(), "$.identifier", own);
    if (identifier != null
        && mapping.stream().anyMatch(f -> f != null && f.to().equals(identifier.to()))) {
      own.add(
          new Problem(
              "$.identifier.to",
              "\"" + identifier.to() + "\" is also a mapped field; map it once"));
    }
    if (c.schedule() == null) {
      own.add(
          new Problem(
              "$.schedule",
              "give an object such as {\"type\": \"interval\", \"every\": \"PT1H\"}"));
    } else {
      for (String p : c.schedule().problems("$.schedule")) {
        int colon = p.indexOf(": ");
        own.add(new Problem(p.substring(0, colon), p.substring(colon + 2)));
      }
    }
    String audienceKey = c.audience() == null ? "" : c.audience();
    checkSources(audienceKey, mapping, identifier, own);
    checkSplitGroups(audienceKey, c.splitGroups(), own);
    String destinationKey = c.destination() == null ? "" : c.destination();
    DestinationStore.Destination destination = destinations.find(destinationKey).orElse(null);
    if (destination == null) {
      own.add(new Problem("$.destination", "no destination \"" + destinationKey + "\""));
    } else if (c.mode() != null && !takes(destination, c.mode())) {
      own.add(
          new Problem(
              "$.mode", "destination " + destinationKey + " does not take " + c.mode().wire()));
    }
    if (destination != null) {
      checkRule(destinationKey, audienceKey, own);
    }
    own.stream().filter(p -> !reported.contains(p.path())).forEach(problems::add);
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
    SyncSpec spec = new SyncSpec(c.mode(), mapping, identifier);
    return new SyncStore.Draft(
        name,
        audienceKey,
        destinationKey,
        c.mode(),
        spec.mappingJson(),
        spec.identifierJson(),
        c.schedule().json(),
        c.enabled(),
        c.snapshots());
  }

  /**
   * The mapping's well-formed fields at their positions (null where an entry is at fault), each
   * target once; empty when no mapping was given as a list.
   */
  private static List<SyncSpec.Field> mapping(List<SyncSpec.Field> given, List<Problem> own) {
    if (given == null) {
      own.add(new Problem("$.mapping", "give a list of {\"from\", \"to\"}"));
      return List.of();
    }
    List<SyncSpec.Field> out = new ArrayList<>();
    Set<String> targets = new HashSet<>();
    for (int i = 0; i < given.size(); i++) {
      SyncSpec.Field f = field(given.get(i), "$.mapping[" + i + "]", own);
      if (f != null && !targets.add(f.to())) {
        own.add(new Problem("$.mapping[" + i + "].to", "\"" + f.to() + "\" is mapped twice"));
      }
      out.add(f);
    }
    if (given.size() > MAX_FIELDS) {
      own.add(new Problem("$.mapping", "at most " + MAX_FIELDS + " fields"));
    }
    return out;
  }

  /** The field with its names stripped, or null (and the problems) when one is missing. */
  private static SyncSpec.Field field(SyncSpec.Field f, String path, List<Problem> own) {
    if (f == null) {
      own.add(new Problem(path, "give {\"from\": column or trait, \"to\": destination field}"));
      return null;
    }
    String from = f.from() == null ? "" : f.from().strip();
    String to = f.to() == null ? "" : f.to().strip();
    if (from.isEmpty()) {
      own.add(new Problem(path + ".from", "give a column or trait of the audience's model"));
    }
    if (to.isEmpty()) {
      own.add(new Problem(path + ".to", "give the destination's field name"));
    } else if (to.length() > 100) {
      own.add(new Problem(path + ".to", "at most 100 characters"));
    }
    return from.isEmpty() || to.isEmpty() ? null : new SyncSpec.Field(from, to);
  }

  /** The audience exists, and every mapped column or trait is one of its model's. */
  private void checkSources(
      String audienceKey,
      List<SyncSpec.Field> mapping,
      SyncSpec.Field identifier,
      List<Problem> own) {
    AudienceStore.Audience audience = audiences.find(audienceKey).orElse(null);
    if (audience == null) {
      own.add(new Problem("$.audience", "no audience \"" + audienceKey + "\""));
      return;
    }
    List<String> sources = sources(audienceKey);
    for (int i = 0; i < mapping.size(); i++) {
      SyncSpec.Field f = mapping.get(i);
      if (f != null && f.from().equals(SplitService.GROUP_SOURCE) && !sources.contains(f.from())) {
        own.add(
            new Problem(
                "$.mapping[" + i + "].from",
                "the audience \""
                    + audienceKey
                    + "\" has no split, so it has no "
                    + SplitService.GROUP_SOURCE
                    + "; give it a split first or map a column or trait"));
      } else if (f != null && !sources.contains(f.from())) {
        own.add(
            new Problem(
                "$.mapping[" + i + "].from",
                "\""
                    + f.from()
                    + "\" is not a column or trait of "
                    + audience.parentModel()
                    + "; one of "
                    + sources));
      }
    }
    if (identifier != null && !identifierSources(audienceKey).contains(identifier.from())) {
      own.add(
          new Problem(
              "$.identifier.from",
              "\""
                  + identifier.from()
                  + "\" is not a column or trait of "
                  + audience.parentModel()));
    }
  }

  /**
   * The destination's rule must compile for the audience's parent (governance spec, section 3): a
   * rule over columns the parent lacks would keep every row out, or fail the run.
   */
  private void checkRule(String destinationKey, String audienceKey, List<Problem> own) {
    AudienceStore.Audience audience = audiences.find(audienceKey).orElse(null);
    if (audience == null) {
      return; // reported at $.audience
    }
    rules
        .rule(destinationKey)
        .map(rule -> rules.check(rule, audience.parentModel()))
        .filter(problems -> !problems.isEmpty())
        .ifPresent(
            problems ->
                own.add(
                    new Problem(
                        "$.destination",
                        "the rule of destination "
                            + destinationKey
                            + " does not apply to "
                            + audience.parentModel()
                            + " (audience "
                            + audienceKey
                            + "'s parent): "
                            + problems.get(0).path()
                            + ": "
                            + problems.get(0).message())));
  }

  /**
   * The chosen groups name groups of the audience's split, once each, and no holdout; choosing
   * needs a split. Null (the default: every group that is not a holdout) is always fine.
   */
  private void checkSplitGroups(String audienceKey, List<String> groups, List<Problem> own) {
    if (groups == null || audiences.find(audienceKey).isEmpty()) {
      return;
    }
    Split split = splits.split(audienceKey).orElse(null);
    if (split == null) {
      own.add(
          new Problem(
              "$.splitGroups",
              "the audience \""
                  + audienceKey
                  + "\" has no split; leave splitGroups out or give the audience a split first"));
      return;
    }
    if (groups.isEmpty()) {
      own.add(
          new Problem(
              "$.splitGroups",
              "choose at least one group, or leave splitGroups out for every group that is not a"
                  + " holdout: "
                  + split.deliveredByDefault()));
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < groups.size(); i++) {
      String g = groups.get(i);
      String at = "$.splitGroups[" + i + "]";
      if (!split.names().contains(g)) {
        own.add(
            new Problem(
                at,
                "no group \""
                    + g
                    + "\" in the audience's split; its groups are "
                    + split.names()
                    + Problems.suggest(g, split.names())
                        .map(x -> "; did you mean \"" + x + "\"?")
                        .orElse("")));
      } else if (split.isHoldout(g)) {
        own.add(
            new Problem(
                at,
                "\""
                    + g
                    + "\" is a holdout group: holdout groups are never delivered; one of "
                    + split.deliveredByDefault()));
      } else if (!seen.add(g)) {
        own.add(new Problem(at, "\"" + g + "\" is listed twice"));
      }
    }
  }

  private static String groupsJson(List<String> groups) {
    if (groups == null) {
      return null;
    }
    var array = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    groups.forEach(array::add);
    return array.toString();
  }

  private List<String> groupsOf(String key) {
    String json = syncs.governance(key).splitGroups();
    if (json == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    AudienceJson.parse(json).forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Whether the destination can serve the mode (a destination that cannot delete: no mirror). */
  private boolean takes(DestinationStore.Destination destination, SyncMode mode) {
    try (Connector connector = Connectors.open(destination, secrets, exportRoot, clock)) {
      return connector.modes().contains(mode);
    }
  }

  private String newSecret() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private SyncView view(SyncStore.Sync s) {
    SyncSpec spec = SyncSpec.of(s);
    Schedule schedule = SyncService.schedule(s);
    RunSummary last =
        runs.list(s.key(), 1).stream()
            .findFirst()
            .map(r -> new RunSummary(r.runId(), r.status().wire(), r.queuedAt(), r.finishedAt()))
            .orElse(null);
    return new SyncView(
        s.key(),
        s.name(),
        s.audience(),
        s.destination(),
        s.mode(),
        spec.mapping(),
        spec.identifier(),
        schedule,
        schedule.describe(),
        s.enabled(),
        s.snapshots(),
        last,
        s.updatedBy(),
        s.updatedAt(),
        syncs.subsets(s.key()),
        groupsOf(s.key()));
  }

  private SyncStore.Sync find(String key) {
    return syncs.find(key).orElseThrow(() -> new NotFoundException("Sync '" + key + "' not found"));
  }

  private static ConflictException taken(String key) {
    return new ConflictException("A sync '" + key + "' already exists");
  }
}
