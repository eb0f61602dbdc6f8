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

  Materializer(RunContext ctx) {
    this.ctx = ctx;
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

  /** The members as of {@code asOf}, with the sync's mapping, into {@code r_<id>}. */
  long into(String id, SyncStore.Sync sync, AudienceDefinition definition, Instant asOf) {
    SyncSpec spec = SyncSpec.of(sync);
    return ctx.tables.materialize(
        id,
        ctx.workspace.engine().memberQuery(definition, "$.definition", asOf, spec.sources()),
        ctx.memberKey(definition),
        spec);
  }
}
