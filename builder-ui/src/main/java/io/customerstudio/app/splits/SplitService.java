package io.customerstudio.app.splits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.SplitStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.engine.SplitSizes;
import io.customerstudio.query.governance.Split;
import io.customerstudio.query.schema.Catalog;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * Audiences' splits (governance spec, section 1): read, save, delete, and the live size of each
 * group over the audience's current members. A split is checked by {@link Split#read} (every
 * problem with its JSON path) and here against the audience's parent ({@code stratifyBy} must be
 * one of its columns or traits) and against the syncs that name groups of it (a group a sync
 * delivers may not vanish or become a holdout). Every change is recorded in the audit trail.
 *
 * <p>The rule a person must know: a member's group is a pure function of its key and the salt (a
 * bucket in [0, 10000) owned by the groups in order), so changing percentages moves only the
 * members whose bucket changes owner, and changing the salt reshuffles everyone. {@link #RULE} says
 * so in words; the API description and the editor show it.
 */
@Service
public class SplitService {

  /** The mapping source that carries a member's group to a destination. */
  public static final String GROUP_SOURCE = "split.group";

  /** What changing a split does to its members, as the editor and the API describe it. */
  public static final String RULE =
      "A member's group depends only on its key and the salt: a stable hash puts it in one of"
          + " 10,000 buckets, and the groups own consecutive ranges of buckets in their order."
          + " Changing percentages moves only the members whose bucket changes owner (lowering"
          + " the first group from 50% to 40% moves a tenth of all members to the second group and"
          + " nobody else); renaming a group keeps its members; reordering groups or changing the"
          + " salt reshuffles everyone. With stratify-by, groups are filled by hash rank within"
          + " each stratum, so a member can also move when its stratum grows or shrinks.";

  /** A split as the API shows it. */
  public record SplitView(
      String audience,
      String salt,
      List<Group> groups,
      String stratifyBy,
      String updatedBy,
      OffsetDateTime updatedAt) {}

  /** One group; {@code percent} may be null in a draft (the service reports it missing). */
  public record Group(String name, BigDecimal percent, boolean holdout) {}

  /** A split as the editor has it, checked exactly like a request body (same paths). */
  public record SplitDraft(String salt, List<Group> groups, String stratifyBy) {
    ObjectNode toJson() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("salt", salt);
      ArrayNode gs = o.putArray("groups");
      for (Group g : groups) {
        ObjectNode n = gs.addObject().put("name", g.name());
        if (g.percent() != null) {
          n.put("percent", g.percent());
        }
        n.put("holdout", g.holdout());
      }
      if (stratifyBy != null && !stratifyBy.isBlank()) {
        o.put("stratifyBy", stratifyBy);
      }
      return o;
    }
  }

  private final SplitStore splits;
  private final AudienceStore audiences;
  private final SyncStore syncs;
  private final Workspace workspace;
  private final io.customerstudio.app.security.CurrentRestriction restriction;
  private final AuditTrail audit;
  private final Clock clock;

  public SplitService(
      SplitStore splits,
      AudienceStore audiences,
      SyncStore syncs,
      Workspace workspace,
      io.customerstudio.app.security.CurrentRestriction restriction,
      AuditTrail audit,
      Clock clock) {
    this.splits = splits;
    this.audiences = audiences;
    this.syncs = syncs;
    this.workspace = workspace;
    this.restriction = restriction;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * @throws NotFoundException when there is no such audience or it has no split
   */
  public SplitView get(String audience) {
    audience(audience);
    return find(audience)
        .orElseThrow(() -> new NotFoundException("Audience '" + audience + "' has no split"));
  }

  /** The audience's split, if it has one (an unknown audience has none). */
  public Optional<Split> split(String audience) {
    return splits.find(audience).map(SplitService::parse);
  }

  /**
   * Creates or replaces the audience's split from a request body.
   *
   * @throws NotFoundException when there is no such audience
   * @throws ValidationException naming each field at fault ({@code $.groups[1].percent})
   * @throws ConflictException when a sync delivers a group the new split lacks or holds out
   */
  public SplitView put(String audience, JsonNode body, String user) {
    AudienceStore.Audience a = audience(audience);
    Problems problems = new Problems();
    Split split = Split.read(body, "$", problems);
    JsonNode stratify = body == null ? null : body.get("stratifyBy");
    if (stratify != null && stratify.isTextual() && !stratify.asText().isEmpty()) {
      List<String> choices = stratumChoices(a);
      if (!choices.contains(stratify.asText())) {
        problems.add(
            "$.stratifyBy",
            Problems.unknown(
                "column or trait",
                stratify.asText(),
                "model \"" + a.parentModel() + "\"",
                choices));
      }
    }
    problems.throwIfAny();
    checkSyncs(audience, split);
    Optional<SplitView> before = find(audience);
    ObjectNode json = split.toJson();
    splits.put(audience, split.salt(), json.get("groups").toString(), split.stratifyBy(), user);
    SplitView after = find(audience).orElseThrow();
    audit.record(
        user,
        AuditTrail.Entity.SPLIT,
        audience,
        before.isPresent() ? AuditTrail.Action.UPDATE : AuditTrail.Action.CREATE,
        before.orElse(null),
        after);
    return after;
  }

  /** {@link #put(String, JsonNode, String)} for the editor's draft. */
  public SplitView put(String audience, SplitDraft draft, String user) {
    return put(audience, draft.toJson(), user);
  }

  /**
   * Deletes the audience's split: its members are no longer split, and no holdout is kept out.
   *
   * @throws NotFoundException when there is no such audience or it has no split
   * @throws ConflictException while a sync names groups of it
   */
  public void delete(String audience, String user) {
    SplitView before = get(audience);
    List<String> naming = syncsNamingGroups(audience);
    if (!naming.isEmpty()) {
      throw new ConflictException(
          "Sync(s) "
              + naming
              + " deliver chosen groups of this split; remove their splitGroups first");
    }
    splits.delete(audience);
    audit.record(user, AuditTrail.Entity.SPLIT, audience, AuditTrail.Action.DELETE, before, null);
  }

  /**
   * How many of the audience's current members each group of its saved split holds now.
   *
   * @throws NotFoundException when there is no such audience or it has no split
   */
  public SplitSizes.Sizes sizes(String audience) {
    AudienceStore.Audience a = audience(audience);
    Split split =
        split(audience)
            .orElseThrow(() -> new NotFoundException("Audience '" + audience + "' has no split"));
    return count(a, split);
  }

  /** The sizes a draft would give, before it is saved: checked like a save. */
  public SplitSizes.Sizes sizes(String audience, SplitDraft draft) {
    AudienceStore.Audience a = audience(audience);
    Problems problems = new Problems();
    Split split = Split.read(draft.toJson(), "$", problems);
    problems.throwIfAny();
    return count(a, split);
  }

  /** The columns and traits of the audience's parent a split may be stratified by. */
  public List<String> stratumChoices(String audience) {
    return stratumChoices(audience(audience));
  }

  // ---------------------------------------------------------------- internals

  private SplitSizes.Sizes count(AudienceStore.Audience a, Split split) {
    // a restricted user counts her rows only
    return restriction
        .apply(workspace.engine())
        .splitSizes(
            Workspace.definition(a.definition()), "$", clock.instant(), split, "$.stratifyBy");
  }

  private List<String> stratumChoices(AudienceStore.Audience a) {
    Catalog catalog = workspace.catalog();
    return catalog
        .model(a.parentModel())
        .map(m -> SplitSizes.choices(catalog, m))
        .orElse(List.of());
  }

  /** A sync's chosen groups must stay in the split and stay delivered. */
  private void checkSyncs(String audience, Split split) {
    List<String> clashes = new ArrayList<>();
    for (String sync : syncs.usingAudience(audience)) {
      for (String group : chosenGroups(sync)) {
        if (!split.names().contains(group)) {
          clashes.add(
              "sync '" + sync + "' delivers group \"" + group + "\", which this split lacks");
        } else if (split.isHoldout(group)) {
          clashes.add(
              "sync '" + sync + "' delivers group \"" + group + "\", which this split holds out");
        }
      }
    }
    if (!clashes.isEmpty()) {
      throw new ConflictException(
          String.join("; ", clashes) + "; change those syncs' splitGroups first");
    }
  }

  private List<String> syncsNamingGroups(String audience) {
    return syncs.usingAudience(audience).stream().filter(s -> !chosenGroups(s).isEmpty()).toList();
  }

  private List<String> chosenGroups(String sync) {
    String json = syncs.governance(sync).splitGroups();
    if (json == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    AudienceJson.parse(json).forEach(n -> out.add(n.asText()));
    return out;
  }

  private Optional<SplitView> find(String audience) {
    return splits
        .find(audience)
        .map(
            s -> {
              Split split = parse(s);
              return new SplitView(
                  audience,
                  split.salt(),
                  split.groups().stream()
                      .map(g -> new Group(g.name(), g.percent(), g.holdout()))
                      .toList(),
                  split.stratifyBy(),
                  s.updatedBy(),
                  s.updatedAt());
            });
  }

  /** A stored split, as it was checked when it was saved. */
  private static Split parse(SplitStore.StoredSplit s) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("salt", s.salt());
    json.set("groups", AudienceJson.parse(s.groups()));
    if (s.stratifyBy() != null) {
      json.put("stratifyBy", s.stratifyBy());
    }
    Problems problems = new Problems();
    Split split = Split.read(json, "$", problems);
    if (split == null) {
      throw new IllegalStateException(
          "the stored split of " + s.audience() + " is invalid: " + problems.list());
    }
    return split;
  }

  private AudienceStore.Audience audience(String key) {
    return audiences
        .find(key)
        .orElseThrow(() -> new NotFoundException("Audience '" + key + "' not found"));
  }
}
