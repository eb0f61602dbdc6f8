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

  public Policies(
      SplitStore splits,
      ConsentStore consent,
      DestinationStore destinations,
      SyncStore syncs,
      AudienceStore audiences) {
    this.splits = splits;
    this.consent = consent;
    this.destinations = destinations;
    this.syncs = syncs;
    this.audiences = audiences;
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
    return new Governance.Policy(
        null,
        null,
        purposes,
        purposes.isEmpty() ? null : consent().orElse(null),
        rule,
        rule == null ? null : "rule of destination " + sync.destination(),
        null,
        List.of(),
        split.orElse(null),
        delivered);
  }

  AudienceDefinition definitionOf(String audience) {
    return audiences
        .find(audience)
        .map(a -> Workspace.definition(a.definition()))
        .orElseThrow(() -> ValidationException.of("$.audience", "no audience " + audience));
  }
}
