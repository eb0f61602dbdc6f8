package io.customerstudio.activities.sync;

import io.customerstudio.activities.governance.Policies;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.governance.Consent;
import io.customerstudio.query.governance.ConsentSql;
import io.customerstudio.query.governance.Governance;
import io.customerstudio.query.governance.Split;
import io.customerstudio.query.governance.SplitSql;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * "Why was this person sent or not" for one sync (governance spec, section 7). The result and
 * reason are what the sync's last governed run recorded (its exclusions, its row errors and the
 * delivered state), so the answer agrees with what the run did; the details (membership and each
 * top-level condition, consent per purpose, rule, priority, split) are evaluated now, and {@code
 * now} says what a run starting now would decide.
 */
final class Why {

  private final RunContext ctx;
  private final Policies policies;
  private final ExclusionLog exclusions;
  private final DSLContext warehouse;

  Why(RunContext ctx, Policies policies, ExclusionLog exclusions, DSLContext warehouse) {
    this.ctx = ctx;
    this.policies = policies;
    this.exclusions = exclusions;
    this.warehouse = warehouse;
  }

  SyncEngine.WhyAnswer explain(String syncKey, String memberKey) {
    SyncStore.Sync sync = ctx.sync(syncKey);
    Optional<RunStore.Run> last = ctx.runs.latestGoverned(syncKey);
    String json =
        last.isPresent()
            ? ctx.definition(sync, last.get().audienceVersion())
            : ctx.audience(sync).definition();
    Problems problems = new Problems();
    // read at "$" so each condition's path is the spec's $.filter.conditions[i]
    AudienceDefinition definition =
        AudienceJson.readDefinition(AudienceJson.parse(json), "$", problems);
    problems.throwIfAny();
    Instant now = ctx.clock.instant();
    AudienceCompiler compiler = ctx.workspace.engine().compiler(now);
    AudienceCompiler.Compiled c = compiler.compile(definition, "$");
    Governance.Policy policy =
        policies.forSync(sync, definition, last.map(RunStore.Run::requestedBy).orElse(null));

    List<Condition> top =
        definition.filter() instanceof Condition.And a
            ? a.conditions()
            : definition.filter() instanceof Condition.Or o
                ? o.conditions()
                : definition.filter() == null ? List.of() : List.of(definition.filter());
    List<Field<?>> select = new ArrayList<>();
    select.add(DSL.field(c.where()).as("member"));
    for (int i = 0; i < top.size(); i++) {
      select.add(DSL.field(compiler.condition(top.get(i), c.root())).as("c" + i));
    }
    if (policy.rule() != null) {
      select.add(DSL.field(compiler.condition(policy.rule(), c.root())).as("rule"));
    }
    for (int i = 0; i < policy.higher().size(); i++) {
      AudienceDefinition h = policy.higher().get(i).definition();
      select.add(
          DSL.field(
                  h.filter() == null
                      ? DSL.trueCondition()
                      : compiler.condition(h.filter(), c.root()))
              .as("h" + i));
    }
    Consent consent = policy.purposes().isEmpty() ? null : policy.consent();
    boolean consentApplies =
        consent != null
            && (consent.parent() == null || consent.parent().equals(definition.parent()))
            && c.root().model().column(consent.parentColumn()).isPresent();
    if (consentApplies) {
      select.add(ConsentSql.normalized(c.root().field(consent.parentColumn())).as("subject"));
    }
    Record row =
        warehouse
            .select(select)
            .from(c.root().table())
            .where(c.key().cast(SQLDataType.CLOB).eq(memberKey))
            .fetchOne();

    boolean member = row != null && Boolean.TRUE.equals(row.get("member", Boolean.class));
    List<SyncEngine.ConditionMatch> conditions = new ArrayList<>();
    for (int i = 0; i < top.size(); i++) {
      conditions.add(
          new SyncEngine.ConditionMatch(
              top.get(i).path(),
              row != null && Boolean.TRUE.equals(row.get("c" + i, Boolean.class))));
    }
    Boolean rule = policy.rule() == null || row == null ? null : row.get("rule", Boolean.class);
    SyncEngine.PriorityAnswer priority = null;
    if (!policy.higher().isEmpty()) {
      String winner = null;
      for (int i = 0; i < policy.higher().size() && row != null; i++) {
        if (Boolean.TRUE.equals(row.get("h" + i, Boolean.class))) {
          winner = policy.higher().get(i).audience();
          break;
        }
      }
      priority = new SyncEngine.PriorityAnswer(policy.priorityList(), winner);
    }
    List<SyncEngine.ConsentAnswer> consentAnswers = new ArrayList<>();
    for (String purpose : policy.purposes()) {
      consentAnswers.add(consentOf(consent, consentApplies, purpose, row));
    }
    SyncEngine.SplitAnswer split = null;
    String group = null;
    if (policy.split() != null && member) {
      group = groupOf(policy.split(), definition, now, memberKey);
      split = new SyncEngine.SplitAnswer(group, group != null && policy.split().isHoldout(group));
    }
    SyncEngine.SubsetAnswer subset = null;
    if (policy.subset() != null) {
      boolean in =
          row != null
              && Boolean.TRUE.equals(
                  warehouse.fetchValue(
                      DSL.select(DSL.field(compiler.condition(policy.subset(), c.root())))
                          .from(c.root().table())
                          .where(c.key().cast(SQLDataType.CLOB).eq(memberKey))));
      subset = new SyncEngine.SubsetAnswer(policy.subsetDetail(), in);
    }

    // what a run starting now would decide, by the runs' own query over this one member
    String nowReason = null;
    if (member) {
      var one =
          DSL.select(
                  DSL.inline(memberKey).cast(SQLDataType.CLOB).as("member"),
                  DSL.inline(group).cast(SQLDataType.CLOB).as("grp"))
              .asTable("m");
      Record excluded =
          warehouse.fetchOne(
              Governance.excluded(
                  one, c.root().model(), ctx.workspace.engine().compiler(now), policy));
      nowReason = excluded == null ? null : excluded.get("reason", String.class);
    }
    SyncEngine.Decision decidedNow =
        new SyncEngine.Decision(
            member && nowReason == null ? "sent" : "suppressed", member ? nowReason : "not_member");

    // what the last run did
    String result;
    String reason;
    String detail = null;
    Optional<DeliveredState.Last> lastDelivery = Optional.empty();
    String identifier = identifierOf(sync, definition, memberKey);
    if (identifier != null) {
      lastDelivery = ctx.state.last(syncKey, identifier);
    }
    if (last.isEmpty()) {
      result = "suppressed";
      reason = "not_run";
      detail = "the sync has not run since governance was introduced";
    } else {
      Optional<ExclusionLog.Exclusion> x = exclusions.of(last.get().runId(), memberKey);
      if (x.isPresent()) {
        result = "suppressed";
        reason = x.get().reason();
        detail = x.get().detail();
      } else if (lastDelivery.isPresent() && lastDelivery.get().op().equals("upsert")) {
        result = "sent";
        reason = null;
      } else {
        Optional<String> rejected =
            identifier == null
                ? Optional.empty()
                : ctx.rowErrors.errors(last.get().runId(), 0, 100_000).stream()
                    .filter(e -> e.key().equals(identifier))
                    .map(io.customerstudio.infra.store.RowErrors.RowError::reason)
                    .findFirst();
        result = "suppressed";
        if (rejected.isPresent()) {
          reason = "rejected";
          detail = rejected.get();
        } else {
          reason = "not_member";
        }
      }
    }
    return new SyncEngine.WhyAnswer(
        member,
        conditions,
        subset,
        consentAnswers,
        rule,
        priority,
        split,
        result,
        reason,
        detail,
        lastDelivery.map(l -> new SyncEngine.LastDelivery(l.runId(), l.at(), l.op())).orElse(null),
        last.map(RunStore.Run::runId).orElse(null),
        last.map(RunStore.Run::evaluatedAt).orElse(null),
        decidedNow);
  }

  private SyncEngine.ConsentAnswer consentOf(
      Consent consent, boolean applies, String purpose, Record row) {
    if (!applies) {
      return new SyncEngine.ConsentAnswer(
          purpose, consent == null ? "NO_CONSENT_SOURCE" : "NOT_APPLICABLE", null, false);
    }
    String subject = row == null ? null : row.get("subject", String.class);
    Record latest =
        subject == null
            ? null
            : warehouse
                .select(ConsentSql.STATUS, ConsentSql.AT, ConsentSql.TIE)
                .from(ConsentSql.latest(consent, List.of(purpose), "l"))
                .where(ConsentSql.SUBJECT.eq(subject))
                .fetchOne();
    if (latest == null) {
      return new SyncEngine.ConsentAnswer(
          purpose, "NO_RECEIPT", null, consent.missingAllows(purpose));
    }
    boolean tie = Boolean.TRUE.equals(latest.get(ConsentSql.TIE));
    String status = tie ? "TIE" : latest.get(ConsentSql.STATUS);
    return new SyncEngine.ConsentAnswer(
        purpose, status, latest.get(ConsentSql.AT), !tie && Consent.allows(status));
  }

  /** The member's split group now: by bucket, or by rank within its stratum. */
  private String groupOf(Split split, AudienceDefinition definition, Instant now, String key) {
    if (split.stratifyBy() == null) {
      return split.groupOf(Split.bucket(split.salt(), key));
    }
    String memberKey = ctx.memberKey(definition);
    var m =
        ctx.workspace
            .engine()
            .memberQuery(definition, "$", now, List.of(memberKey, split.stratifyBy()))
            .asTable("m");
    Field<String> k = m.field(memberKey).cast(SQLDataType.CLOB);
    var grouped =
        DSL.select(k.as("k"), SplitSql.group(split, k, m.field(split.stratifyBy())).as("g"))
            .from(m)
            .asTable("gs");
    return warehouse
        .select(grouped.field("g", SQLDataType.CLOB))
        .from(grouped)
        .where(grouped.field("k", SQLDataType.CLOB).eq(key))
        .fetchOne(0, String.class);
  }

  /** The member's identifier as the sync sends it (the state is keyed by it), or null. */
  private String identifierOf(SyncStore.Sync sync, AudienceDefinition definition, String key) {
    String from = SyncSpec.of(sync).identifier().from();
    String memberKey = ctx.memberKey(definition);
    var m =
        ctx.workspace
            .engine()
            .memberQuery(
                new AudienceDefinition(definition.parent(), null),
                "$",
                ctx.clock.instant(),
                List.of(memberKey, from))
            .asTable("m");
    return warehouse
        .select(m.field(from).cast(SQLDataType.CLOB))
        .from(m)
        .where(m.field(memberKey).cast(SQLDataType.CLOB).eq(key))
        .fetchOne(0, String.class);
  }
}
