package io.customerstudio.activities.sync;

import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.store.SyncStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.audience.AudienceDefinition;
import java.time.Instant;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The materialize step: runs the audience the run pinned, with the sync's mapped columns and
 * traits, into the run table, and notes when the warehouse evaluated it (what orders the enter/exit
 * log). Repeating it replaces a partial table.
 */
final class Materializer {

  private static final Logger log = LoggerFactory.getLogger(Materializer.class);

  private final RunContext ctx;
  private final io.customerstudio.activities.governance.Policies policies;

  Materializer(RunContext ctx, io.customerstudio.activities.governance.Policies policies) {
    this.ctx = ctx;
    this.policies = policies;
  }

  long materialize(String runId) {
    RunStore.Run run = ctx.run(runId);
    SyncStore.Sync sync = ctx.sync(run.sync());
    String definition = ctx.definition(sync, run.audienceVersion());
    Instant evaluatedAt = ctx.tables.now();
    long members = into(runId, sync, Workspace.definition(definition), run.startedAt().toInstant());
    ctx.runs.materialized(runId, members, evaluatedAt.atOffset(ZoneOffset.UTC));
    log.atInfo()
        .addKeyValue("run", runId)
        .addKeyValue("sync", sync.key())
        .addKeyValue("members", members)
        .log("materialized run {}", runId);
    return members;
  }

  /**
   * The members as of {@code asOf}, with the sync's mapping and, when the audience is split, each
   * member's group, into {@code r_<id>}.
   */
  long into(String id, SyncStore.Sync sync, AudienceDefinition definition, Instant asOf) {
    SyncSpec spec = SyncSpec.of(sync);
    RunTables.Grouping grouping =
        policies
            .split(sync.audience())
            .map(s -> new RunTables.Grouping(s, s.stratifyBy()))
            .orElse(null);
    java.util.List<String> sources = new java.util.ArrayList<>(spec.sources());
    if (grouping != null && grouping.stratum() != null && !sources.contains(grouping.stratum())) {
      sources.add(grouping.stratum());
    }
    return ctx.tables.materialize(
        id,
        ctx.workspace.engine().memberQuery(definition, "$.definition", asOf, sources),
        ctx.memberKey(definition),
        spec,
        grouping);
  }
}
