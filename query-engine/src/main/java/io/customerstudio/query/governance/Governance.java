package io.customerstudio.query.governance;

import static org.jooq.impl.DSL.inline;

import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.compile.AudienceCompiler.Scope;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jooq.CaseConditionStep;
import org.jooq.Field;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Who of a set of members may be sent (governance spec, section 6): one query that gives each
 * excluded member its first reason, in the spec's order, subset → consent → destination rule →
 * priority → split (a holdout group, or a group the sync does not deliver). Everything is decided
 * in the warehouse, set-based: subset and rule conditions are evaluated on the member's parent row,
 * consent is a hash join to each purpose's latest receipts, a higher-ranked audience is a hash join
 * to its member keys, and the split group is already a column of the members.
 */
public final class Governance {

  /** Why a member was not sent. The wire name is the lower-case constant name. */
  public enum Reason {
    SUBSET,
    CONSENT,
    RULE,
    PRIORITY,
    /** In a split group the sync does not deliver (and that is not a holdout). */
    SPLIT,
    HOLDOUT,
    /** No identifier to send it by, or another member has the same one (sent once, for it). */
    IDENTIFIER;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Reason of(String wire) {
      return valueOf(wire.toUpperCase(Locale.ROOT));
    }
  }

  /** A higher-ranked audience of the member's priority list. */
  public record Higher(String audience, AudienceDefinition definition) {}

  /**
   * What applies to a send. Every part is optional.
   *
   * @param subset the rows the send may reach (required subsets and the people's restrictions), or
   *     null for all
   * @param subsetDetail the detail logged for a row outside it
   * @param purposes the consent purposes the destination requires (empty: no consent step)
   * @param consent the consent source, or null when none is set (then every required purpose
   *     blocks: fail closed)
   * @param rule the destination's rule, or null
   * @param priorityList the list's key, when {@code higher} is not empty
   * @param higher the audiences ranked above this one, highest first
   * @param split the audience's split, or null
   * @param delivered the split groups this send delivers
   */
  public record Policy(
      Condition subset,
      String subsetDetail,
      List<String> purposes,
      Consent consent,
      Condition rule,
      String ruleDetail,
      String priorityList,
      List<Higher> higher,
      Split split,
      Set<String> delivered) {

    public Policy {
      purposes = purposes == null ? List.of() : List.copyOf(purposes);
      higher = higher == null ? List.of() : List.copyOf(higher);
      delivered = delivered == null ? Set.of() : Set.copyOf(delivered);
    }

    public static final Policy NONE =
        new Policy(null, null, List.of(), null, null, null, null, List.of(), null, Set.of());

    /** Whether any step can exclude a member (else the govern step writes nothing). */
    public boolean excludesAnything() {
      return subset != null
          || !purposes.isEmpty()
          || rule != null
          || !higher.isEmpty()
          || (split != null && !delivered.containsAll(split.names()));
    }
  }

  private Governance() {}

  /**
   * The excluded members among {@code members} with their first reason and a detail: columns {@code
   * member}, {@code reason}, {@code detail}.
   *
   * @param members a table with the member key as text ({@code member}) and, when the policy has a
   *     split, the member's group ({@code grp})
   * @param compiler compiles the policy's conditions and audiences (one per query: aliases are
   *     unique within it)
   */
  public static Select<?> excluded(
      Table<?> members, ModelInfo parent, AudienceCompiler compiler, Policy policy) {
    Field<String> member = members.field("member", SQLDataType.CLOB);
    List<org.jooq.Condition> when = new ArrayList<>();
    List<Field<String>> reason = new ArrayList<>();
    List<Field<String>> detail = new ArrayList<>();
    List<Field<?>> select = new ArrayList<>();
    select.add(member.as("member"));

    boolean needsParent =
        policy.subset() != null || policy.rule() != null || !policy.purposes().isEmpty();
    Scope p = needsParent ? compiler.newScope(parent) : null;
    Table<?> joined = members;
    if (p != null) {
      joined = joined.join(p.table()).on(p.key().cast(SQLDataType.CLOB).eq(member));
    }
    if (policy.subset() != null) {
      when.add(DSL.not(compiler.condition(policy.subset(), p)));
      reason.add(inline(Reason.SUBSET.wire()));
      detail.add(inline(policy.subsetDetail()));
    }
    if (!policy.purposes().isEmpty()) {
      Consent c = policy.consent();
      boolean applies =
          c != null
              && (c.parent() == null || c.parent().equals(parent.name()))
              && parent.column(c.parentColumn()).isPresent();
      if (!applies) {
        // fail closed: a destination that needs consent gets nobody until consent is known
        when.add(DSL.trueCondition());
        reason.add(inline(Reason.CONSENT.wire()));
        detail.add(
            inline(
                Consent.purpose(policy.purposes().get(0))
                    + ": "
                    + (c == null
                        ? "no consent source is set"
                        : "consent does not apply to " + parent.name())));
      } else {
        Field<String> subject = ConsentSql.normalized(p.field(c.parentColumn()));
        CaseConditionStep<String> why = null;
        org.jooq.Condition blocked = DSL.falseCondition();
        int i = 0;
        for (String purpose : policy.purposes()) {
          String norm = Consent.purpose(purpose);
          Table<?> latest = ConsentSql.latest(c, List.of(norm), "c" + i++);
          joined = joined.leftJoin(latest).on(latest.field("s", SQLDataType.CLOB).eq(subject));
          org.jooq.Condition blocks = DSL.not(ConsentSql.allows(latest, c.missingAllows(norm)));
          blocked = blocked.or(blocks);
          Field<String> text =
              DSL.concat(
                  inline(norm + ": "),
                  DSL.when(latest.field("s").isNull(), inline("no receipt"))
                      .when(latest.field("tie", SQLDataType.BOOLEAN), inline("tie"))
                      .otherwise(
                          DSL.coalesce(latest.field("st", SQLDataType.CLOB), inline("no status"))));
          why = why == null ? DSL.when(blocks, text) : why.when(blocks, text);
        }
        when.add(blocked);
        reason.add(inline(Reason.CONSENT.wire()));
        detail.add(why.otherwise(inline((String) null)));
      }
    }
    if (policy.rule() != null) {
      when.add(DSL.not(compiler.condition(policy.rule(), p)));
      reason.add(inline(Reason.RULE.wire()));
      detail.add(inline(policy.ruleDetail()));
    }
    if (!policy.higher().isEmpty()) {
      CaseConditionStep<String> winner = null;
      org.jooq.Condition any = DSL.falseCondition();
      int i = 0;
      for (Higher h : policy.higher()) {
        var compiled = compiler.compile(h.definition(), "$.priority[" + i + "]");
        Table<?> keys =
            DSL.select(compiled.key().cast(SQLDataType.CLOB).as("k"))
                .from(compiled.root().table())
                .where(compiled.where())
                .asTable("h" + i++);
        joined = joined.leftJoin(keys).on(keys.field("k", SQLDataType.CLOB).eq(member));
        org.jooq.Condition in = keys.field("k").isNotNull();
        any = any.or(in);
        winner =
            winner == null
                ? DSL.when(in, inline(h.audience()))
                : winner.when(in, inline(h.audience()));
      }
      when.add(any);
      reason.add(inline(Reason.PRIORITY.wire()));
      detail.add(winner.otherwise(inline((String) null)));
    }
    if (policy.split() != null && !policy.delivered().containsAll(policy.split().names())) {
      Field<String> grp = members.field("grp", SQLDataType.CLOB);
      List<String> holdouts =
          policy.split().groups().stream()
              .filter(Split.Group::holdout)
              .map(Split.Group::name)
              .toList();
      when.add(grp.notIn(policy.delivered()).or(grp.isNull()));
      reason.add(
          DSL.when(grp.in(holdouts), inline(Reason.HOLDOUT.wire()))
              .otherwise(inline(Reason.SPLIT.wire())));
      detail.add(grp);
    }
    if (when.isEmpty()) {
      return DSL.select(member.as("member"), inline("").as("reason"), inline("").as("detail"))
          .from(members)
          .where(DSL.falseCondition());
    }
    CaseConditionStep<String> r = DSL.when(when.get(0), reason.get(0));
    CaseConditionStep<String> d = DSL.when(when.get(0), detail.get(0));
    for (int i = 1; i < when.size(); i++) {
      r = r.when(when.get(i), reason.get(i));
      d = d.when(when.get(i), detail.get(i));
    }
    select.add(r.otherwise(inline((String) null)).as("reason"));
    select.add(d.otherwise(inline((String) null)).as("detail"));
    Table<?> graded = DSL.select(select).from(joined).asTable("gv");
    return DSL.select(graded.field("member"), graded.field("reason"), graded.field("detail"))
        .from(graded)
        .where(graded.field("reason").isNotNull());
  }
}
