package io.customerstudio.activities.destinations;

import io.customerstudio.infra.store.SyncMode;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A destination as the delivery core sees it: what it supports, how many rows a batch holds and how
 * fast it may be called, a connection test, and one delivery attempt with a per-row outcome.
 * Retries, backoff, rate limiting and outage budgets are the delivery core's, not the connector's:
 * a connector makes each request once, after {@link Pacer#beforeRequest()}, and says whether a
 * failure is worth retrying ({@link DeliveryException}).
 *
 * <p>One instance per destination is shared by every run, sync and journey send of a worker, so
 * implementations are thread-safe and keep their clients and pools for their lifetime.
 */
public interface Connector extends AutoCloseable {

  /**
   * The sync modes it can serve: upsert, mirror (needs deletes), insert. All three, unless a
   * destination cannot delete.
   */
  default Set<SyncMode> modes() {
    return EnumSet.allOf(SyncMode.class);
  }

  int batchSize();

  /**
   * How many batches of one run may be in flight at once. A connector that is safe to call from
   * several threads (and whose destination takes concurrent requests) raises it.
   */
  default int parallelism() {
    return 1;
  }

  /** Requests per second the destination allows; unlimited unless configured. */
  default double requestsPerSecond() {
    return Double.POSITIVE_INFINITY;
  }

  /**
   * Delivers one batch, once. Idempotent per {@link Batch#idempotencyKey()}: sending the same batch
   * again (a retry, a replay) must not duplicate anything at the destination.
   *
   * @param pacer called before each request to the destination
   * @throws DeliveryException when nothing of the batch could be delivered
   */
  List<RowOutcome> deliver(Batch batch, Pacer pacer);

  /** One attempt without pacing: for tests and tools outside the delivery core. */
  default List<RowOutcome> deliver(Batch batch) {
    return deliver(batch, Pacer.NONE);
  }

  /** Empty when the destination answers; otherwise what went wrong, in a sentence. */
  Optional<String> test();

  /**
   * Called once after a run's last batch: a destination that gathers a run (a file export) makes
   * its result whole here. Idempotent: calling it again changes nothing.
   */
  default void finish(String sync, String runId) {}

  /** Releases pools and clients; called when the destination's settings change or the app stops. */
  @Override
  default void close() {}
}
