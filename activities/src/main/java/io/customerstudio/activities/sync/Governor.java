package io.customerstudio.activities.sync;

import io.customerstudio.activities.governance.Policies;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.governance.Governance;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The govern step, between materialize and diff: decides in the warehouse which members the sync
 * may send (subset → consent → destination rule → priority → split, the spec's order) into {@code
 * g_<run>}, logs the excluded with their first reason and the held out in the holdout log, and
 * counts each reason on the run. Repeating it replaces what an earlier attempt wrote.
 */
final class Governor {

  private static final Logger log = LoggerFactory.getLogger(Governor.class);

  private final RunContext ctx;
  private final Policies policies;
  private final ExclusionLog exclusions;

  Governor(RunContext ctx, Policies policies, ExclusionLog exclusions) {
    this.ctx = ctx;
    this.policies = policies;
    this.exclusions = exclusions;
  }

  Map<String, Long> govern(String runId) {
    RunStore.Run run = ctx.run(runId);
    SyncStore.Sync sync = ctx.sync(run.sync());
    ctx.runs.step(runId, "governing");
    String definition = ctx.definition(sync, run.audienceVersion());
    Map<String, Long> counts =
        into(
            runId,
            sync,
            Workspace.definition(definition),
            run.startedAt().toInstant(),
            run.requestedBy());
    exclusions.record(
        runId, sync.key(), sync.audience(), ctx.tables.now().atOffset(ZoneOffset.UTC));
    ctx.runs.governed(runId, json(counts));
    log.atInfo()
        .addKeyValue("run", runId)
        .addKeyValue("sync", sync.key())
        .addKeyValue("excluded", counts)
        .log("governed run {}", runId);
    return counts;
  }

  /**
   * Governs the members in {@code r_<id>} into {@code g_<id>} (a run or a dry run); returns the
   * count per reason, every reason present.
   */
  Map<String, Long> into(
      String id,
      SyncStore.Sync sync,
      AudienceDefinition definition,
      Instant asOf,
      String requestedBy) {
    Governance.Policy policy = policies.forSync(sync, definition, requestedBy);
    var compiler = ctx.workspace.engine().compiler(asOf);
    var parent = compiler.parentModel(definition, "$.definition");
    if (parent == null) {
      throw new SyncException("model " + definition.parent() + " is not in the schema");
    }
    var members = DSL.table(RunTables.runTable(id)).as("r");
    var query =
        Governance.excluded(
            DSL.select(
                    DSL.field(DSL.name("r", "member"), SQLDataType.CLOB).as("member"),
                    DSL.field(DSL.name("r", "grp"), SQLDataType.CLOB).as("grp"))
                .from(members)
                .asTable("m"),
            parent,
            compiler,
            policy);
    ctx.tables.govern(
        id, query, ctx.memberKey(definition).equals(SyncSpec.of(sync).identifier().from()));
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Governance.Reason r : Governance.Reason.values()) {
      counts.put(r.wire(), 0L);
    }
    counts.putAll(ctx.tables.excludedCounts(id));
    return counts;
  }

  private static String json(Map<String, Long> counts) {
    var o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    counts.forEach(o::put);
    return o.toString();
  }
}
