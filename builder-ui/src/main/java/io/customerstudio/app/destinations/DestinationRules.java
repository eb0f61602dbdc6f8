package io.customerstudio.app.destinations;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.Problem;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.engine.AudienceEngine;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.SchemaDocument;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Service;

/**
 * A destination's rule (governance spec, section 3): a condition over the parent model of each sync
 * that delivers there. Says whether a rule compiles for a parent (checked when a destination or a
 * sync is saved) and how many of an audience's members a rule keeps out. Runs apply the rule; this
 * class never decides a delivery.
 */
@Service
public class DestinationRules {

  /** An audience's members, and how many of them the rule keeps out. */
  public record Impact(long members, long excluded) {}

  private final DestinationStore destinations;
  private final SyncStore syncs;
  private final AudienceStore audiences;
  private final Workspace workspace;
  private final io.customerstudio.app.security.CurrentRestriction restriction;
  private final Clock clock;

  public DestinationRules(
      DestinationStore destinations,
      SyncStore syncs,
      AudienceStore audiences,
      Workspace workspace,
      io.customerstudio.app.security.CurrentRestriction restriction,
      Clock clock) {
    this.destinations = destinations;
    this.syncs = syncs;
    this.audiences = audiences;
    this.workspace = workspace;
    this.restriction = restriction;
    this.clock = clock;
  }

  /** The destination's rule, or empty when it has none (or there is no such destination). */
  public Optional<Condition> rule(String destination) {
    String json = destinations.governance(destination).rule();
    if (json == null) {
      return Optional.empty();
    }
    Problems problems = new Problems();
    Condition c = AudienceJson.readCondition(AudienceJson.parse(json), "$.rule", problems);
    problems.throwIfAny(); // validated when saved
    return Optional.of(c);
  }

  /**
   * The problems of compiling the rule over a parent model, at the rule's own paths ({@code
   * $.rule.conditions[0].column}); empty when it compiles.
   */
  public List<Problem> check(Condition rule, String parent) {
    try {
      workspace.engine().compile(new AudienceDefinition(parent, rule), "$.rule", clock.instant());
      return List.of();
    } catch (ValidationException e) {
      return e.problems();
    }
  }

  /**
   * The problems of a rule for a destination: it must compile over the parent of every sync that
   * delivers there, or, when none does yet, over at least one parent model.
   */
  public List<Problem> checkForUse(String destination, Condition rule) {
    Set<String> parents = new LinkedHashSet<>();
    if (destination != null) {
      for (String sync : syncs.usingDestination(destination)) {
        syncs
            .find(sync)
            .flatMap(s -> audiences.find(s.audience()))
            .ifPresent(a -> parents.add(a.parentModel()));
      }
    }
    List<Problem> problems = new ArrayList<>();
    if (!parents.isEmpty()) {
      for (String parent : parents) {
        for (Problem p : check(rule, parent)) {
          problems.add(
              new Problem(
                  p.path(), p.message() + " (for syncs whose audiences select " + parent + ")"));
        }
      }
      return problems;
    }
    List<String> all = parentModels();
    for (String parent : all) {
      List<Problem> found = check(rule, parent);
      if (found.isEmpty()) {
        return List.of();
      }
      if (problems.isEmpty()) {
        problems.addAll(found);
      }
    }
    if (all.isEmpty()) {
      problems.add(new Problem("$.rule", "the schema has no parent model to apply a rule to"));
    }
    return problems;
  }

  /**
   * How many members of the audience the destination's rule keeps out: members minus the members
   * who satisfy it (a rule that is unknown for a member, NULL, keeps them out, as runs do).
   *
   * @throws ApiException 404 for an unknown destination, 400 naming {@code audience}
   */
  public Impact impact(String destination, String audience) {
    if (destinations.find(destination).isEmpty()) {
      throw ApiException.notFound("Destination '" + destination + "' not found");
    }
    return impact(rule(destination), audience);
  }

  /**
   * The same for a rule being edited (not saved): its JSON, or null for none.
   *
   * @throws ValidationException naming the rule's problems ({@code $.rule...})
   */
  public Impact impact(JsonNode rule, String audience) {
    Problems problems = new Problems();
    Condition c = read(rule, problems);
    problems.throwIfAny();
    return impact(Optional.ofNullable(c), audience);
  }

  private Impact impact(Optional<Condition> rule, String audience) {
    if (audience == null || audience.isBlank()) {
      throw ApiException.invalid("audience", "is required: the key of an audience");
    }
    AudienceStore.Audience a =
        audiences
            .find(audience)
            .orElseThrow(
                () ->
                    ApiException.invalid(
                        "audience",
                        Problems.unknown(
                            "audience",
                            audience,
                            null,
                            audiences.list(null).stream()
                                .map(AudienceStore.Audience::key)
                                .toList())));
    AudienceDefinition definition = Workspace.definition(a.definition());
    AudienceEngine engine = restriction.apply(workspace.engine());
    long members = engine.count(definition, "$.definition", clock.instant());
    if (rule.isEmpty()) {
      return new Impact(members, 0);
    }
    Condition both =
        definition.filter() == null
            ? rule.get()
            : new Condition.And("$", List.of(definition.filter(), rule.get()));
    long kept =
        engine.count(new AudienceDefinition(definition.parent(), both), "$", clock.instant());
    return new Impact(members, members - kept);
  }

  /** Reads a rule from a request at {@code $.rule}; null (and no problem) when there is none. */
  public static Condition read(JsonNode json, Problems problems) {
    if (json == null || json.isNull()) {
      return null;
    }
    return AudienceJson.readCondition(json, "$.rule", problems);
  }

  private List<String> parentModels() {
    Catalog catalog = workspace.catalog();
    return catalog.document().models(SchemaDocument.Kind.PARENT).stream()
        .map(SchemaDocument.Model::name)
        .toList();
  }
}
