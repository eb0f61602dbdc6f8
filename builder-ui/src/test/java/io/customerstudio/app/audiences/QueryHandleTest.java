package io.customerstudio.app.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.customerstudio.app.AppTestSupport;
import io.customerstudio.infra.warehouse.Warehouse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The builder's Stop button: a running warehouse statement is cancelled from another thread. */
class QueryHandleTest extends AppTestSupport {

  @Autowired Warehouse warehouse;

  @Test
  void cancelStopsTheRunningStatementAndRefusesLaterOnes() throws Exception {
    QueryHandle handle = new QueryHandle();
    DSLContext db = warehouse.dsl().configuration().derive(handle).dsl();
    long t0 = System.nanoTime();
    CompletableFuture<Object> running =
        CompletableFuture.supplyAsync(() -> db.fetchValue("select pg_sleep(60)"));
    // wait until the statement is on the server, then stop it
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                warehouse
                        .dsl()
                        .fetchCount(
                            org.jooq
                                .impl
                                .DSL
                                .selectOne()
                                .from("pg_stat_activity")
                                .where("query = 'select pg_sleep(60)' and state = 'active'"))
                    > 0);
    handle.cancel();
    assertThatThrownBy(running::get)
        .isInstanceOf(ExecutionException.class)
        .hasStackTraceContaining("cancel");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    assertThat(handle.isCancelled()).isTrue();
    assertThatThrownBy(() -> db.fetchValue("select 1")).hasMessageContaining("cancelled");
  }
}
