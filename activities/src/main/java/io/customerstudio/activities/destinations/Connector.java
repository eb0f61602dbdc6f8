package io.customerstudio.activities.destinations;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A destination as a sync run sees it: what it supports, how many rows a batch holds, a connection
 * test, and delivery with a per-row outcome.
 */
public interface Connector {

  /**
   * The sync modes it can serve: {@code upsert}, {@code mirror} (needs deletes), {@code insert}.
   * All three, unless a destination cannot delete.
   */
  default Set<String> modes() {
    return Set.of("upsert", "mirror", "insert");
  }

  int batchSize();

  /**
   * How many batches of one run may be in flight at once. A connector that is safe to call from
   * several threads (and whose destination takes concurrent requests) raises it.
   */
  default int parallelism() {
    return 1;
  }

  /**
   * Delivers one batch. Idempotent per {@link Batch#idempotencyKey()}: sending the same batch again
   * (a retried activity, a replay) must not duplicate anything at the destination.
   *
   * @throws DeliveryException when nothing of the batch could be delivered
   */
  List<RowOutcome> deliver(Batch batch);

  /** Empty when the destination answers; otherwise what went wrong, in a sentence. */
  Optional<String> test();

  /**
   * Called once after a run's last batch: a destination that gathers a run (a file export) makes
   * its result whole here. Idempotent: calling it again changes nothing.
   */
  default void finish(String sync, String runId) {}
}
