package io.customerstudio.activities.governance;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.ConsentStore;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.SplitStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.governance.Consent;
import io.customerstudio.query.governance.Governance;
import io.customerstudio.query.governance.Split;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads what governs a send from the app store into a {@link Governance.Policy}: the sync's and
 * destination's required subsets and the restrictions of the people who made or ran the sync, the
 * destination's consent purposes and rule, the audience's priority list and split. Sync runs use it
 * now, journey sends next. Stored settings were validated when saved; one that no longer reads (the
 * schema changed under it) is a {@link ValidationException} naming it, so the run fails with the
 * reason instead of sending to people it should not.
 */
public class Policies {

  private final SplitStore splits;
  private final ConsentStore consent;
  private final DestinationStore destinations;
  private final SyncStore syncs;
  private final AudienceStore audiences;
  private final io.customerstudio.infra.store.PriorityListStore priorityLists;
  private final io.customerstudio.infra.store.SubsetCategoryStore subsets;
  private final io.customerstudio.infra.store.UserStore users;

  public Policies(
      SplitStore splits,
      ConsentStore consent,
      DestinationStore destinations,
      SyncStore syncs,
      AudienceStore audiences,
      io.customerstudio.infra.store.PriorityListStore priorityLists,
      io.customerstudio.infra.store.SubsetCategoryStore subsets,
      io.customerstudio.infra.store.UserStore users) {
    this.splits = splits;
    this.consent = consent;
    this.destinations = destinations;
    this.syncs = syncs;
    this.audiences = audiences;
    this.priorityLists = priorityLists;
    this.subsets = subsets;
    this.users = users;
  }

  /**
   * The rows a sync may reach: its own and its destination's required subsets, and the restrictions
   * of the person who made it and of the person who asked for this run (admins are never
   * restricted), all ANDed. Null when nothing restricts the parent.
   */
  Restricted subsetsOf(SyncStore.Sync sync, String destination, String parent, String requestedBy) {
    var categories = subsets.definitions();
    List<Condition> parts = new ArrayList<>();
    List<String> why = new ArrayList<>();
    addSelection(parts, why, "sync " + sync.key(), syncs.subsets(sync.key()), parent, categories);
    addSelection(
        parts,
        why,
        "destination " + destination,
        destinations.subsets(destination),
        parent,
        categories);
    for (String person :
        new LinkedHashSet<>(java.util.Arrays.asList(sync.createdBy(), requestedBy))) {
      if (person == null) {
        continue;
      }
      users
          .find(person)
          .filter(io.customerstudio.infra.store.UserStore.StudioUser::restricted)
          .ifPresent(
              u -> addSelection(parts, why, "user " + person, u.subsets(), parent, categories));
    }
    if (parts.isEmpty()) {
      return null;
    }
    Condition all =
        parts.size() == 1 ? parts.get(0) : new Condition.And("$.subsets", List.copyOf(parts));
    return new Restricted(all, String.join("; ", why));
  }

  /** A restriction and the sentence logged for the rows outside it. */
  record Restricted(Condition condition, String detail) {}

  private static void addSelection(
      List<Condition> parts,
      List<String> why,
      String whose,
      java.util.Map<String, List<String>> selection,
      String parent,
      java.util.Map<String, io.customerstudio.query.governance.Restriction.CategoryDef>
          categories) {
    io.customerstudio.query.governance.Restriction.condition(parent, selection, categories)
        .ifPresent(
            c -> {
              parts.add(c);
              why.add(whose + " requires " + selection);
            });
  }

  /** The audiences ranked above {@code audience} in its priority list, highest first. */
  private List<Governance.Higher> higher(String audience, List<String> ranked) {
    List<Governance.Higher> out = new ArrayList<>();
    for (String a : ranked) {
      if (a.equals(audience)) {
        break;
      }
      out.add(new Governance.Higher(a, definitionOf(a)));
    }
    return out;
  }

  /** The audience's split, if it has one. */
  public Optional<Split> split(String audience) {
    return splits
        .find(audience)
        .map(
            s -> {
              var node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
              node.put("salt", s.salt());
              node.set("groups", AudienceJson.parse(s.groups()));
              if (s.stratifyBy() != null) {
                node.put("stratifyBy", s.stratifyBy());
              }
              Problems problems = new Problems();
              Split split = Split.read(node, "split of " + audience, problems);
              problems.throwIfAny();
              return split;
            });
  }

  /** The installation's consent source, if one is set. */
  public Optional<Consent> consent() {
    return consent
        .get()
        .map(
            c -> {
              Problems problems = new Problems();
              Consent read = Consent.read(AudienceJson.parse(c.config()), "consent", problems);
              problems.throwIfAny();
              return read;
            });
  }

  /** What governs a sync of the audience {@code definition} (the version the run pinned). */
  public Governance.Policy forSync(SyncStore.Sync sync, AudienceDefinition definition) {
    return forSync(sync, definition, null);
  }

  /**
   * What governs a run of the sync over {@code definition} (the version the run pinned), asked for
   * by {@code requestedBy} (null for schedules and triggers).
   */
  public Governance.Policy forSync(
      SyncStore.Sync sync, AudienceDefinition definition, String requestedBy) {
    DestinationStore.Governance d = destinations.governance(sync.destination());
    SyncStore.Governance s = syncs.governance(sync.key());
    List<String> purposes = new ArrayList<>();
    if (d.consentPurposes() != null) {
      AudienceJson.parse(d.consentPurposes())
          .forEach(p -> purposes.add(Consent.purpose(p.asText())));
    }
    Condition rule = null;
    if (d.rule() != null) {
      Problems problems = new Problems();
      rule =
          AudienceJson.readCondition(
              AudienceJson.parse(d.rule()), "rule of destination " + sync.destination(), problems);
      problems.throwIfAny();
    }
    Optional<Split> split = split(sync.audience());
    Set<String> delivered = new LinkedHashSet<>();
    if (split.isPresent()) {
      if (s.splitGroups() == null) {
        delivered.addAll(split.get().deliveredByDefault());
      } else {
        for (JsonNode g : AudienceJson.parse(s.splitGroups())) {
          // a holdout is never delivered, whatever the sync was saved with
          if (!split.get().isHoldout(g.asText())) {
            delivered.add(g.asText());
          }
        }
      }
    }
    Restricted restricted = subsetsOf(sync, sync.destination(), definition.parent(), requestedBy);
    var list = priorityLists.containing(sync.audience());
    List<Governance.Higher> higher =
        list.map(l -> higher(sync.audience(), l.audiences())).orElse(List.of());
    return new Governance.Policy(
        restricted == null ? null : restricted.condition(),
        restricted == null ? null : restricted.detail(),
        purposes,
        purposes.isEmpty() ? null : consent().orElse(null),
        rule,
        rule == null ? null : "rule of destination " + sync.destination(),
        higher.isEmpty() ? null : list.get().key(),
        higher,
        split.orElse(null),
        delivered);
  }

  /**
   * What governs a journey's send to {@code destination} (journey spec, section 3: consent,
   * destination rules, subsets): the destination's required subsets and consent purposes, its rule,
   * and the restriction of the person who made the journey. Splits and priority lists are the
   * journey's own nodes, not the audience's, so they do not apply.
   */
  public Governance.Policy forJourneySend(String destination, String parent, String createdBy) {
    DestinationStore.Governance d = destinations.governance(destination);
    List<String> purposes = new ArrayList<>();
    if (d.consentPurposes() != null) {
      AudienceJson.parse(d.consentPurposes())
          .forEach(p -> purposes.add(Consent.purpose(p.asText())));
    }
    Condition rule = null;
    if (d.rule() != null) {
      Problems problems = new Problems();
      rule =
          AudienceJson.readCondition(
              AudienceJson.parse(d.rule()), "rule of destination " + destination, problems);
      problems.throwIfAny();
    }
    var categories = subsets.definitions();
    List<Condition> parts = new ArrayList<>();
    List<String> why = new ArrayList<>();
    addSelection(
        parts,
        why,
        "destination " + destination,
        destinations.subsets(destination),
        parent,
        categories);
    if (createdBy != null) {
      users
          .find(createdBy)
          .filter(io.customerstudio.infra.store.UserStore.StudioUser::restricted)
          .ifPresent(
              u -> addSelection(parts, why, "user " + createdBy, u.subsets(), parent, categories));
    }
    Condition subset =
        parts.isEmpty()
            ? null
            : parts.size() == 1 ? parts.get(0) : new Condition.And("$.subsets", List.copyOf(parts));
    return new Governance.Policy(
        subset,
        subset == null ? null : String.join("; ", why),
        purposes,
        purposes.isEmpty() ? null : consent().orElse(null),
        rule,
        rule == null ? null : "rule of destination " + destination,
        null,
        List.of(),
        null,
        Set.of());
  }

  AudienceDefinition definitionOf(String audience) {
    return audiences
        .find(audience)
        .map(a -> Workspace.definition(a.definition()))
        .orElseThrow(() -> ValidationException.of("$.audience", "no audience " + audience));
  }
}
