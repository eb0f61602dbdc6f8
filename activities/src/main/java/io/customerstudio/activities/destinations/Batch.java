package io.customerstudio.activities.destinations;

import java.util.List;

/**
 * A batch as a destination receives it. {@code idempotencyKey} is made by the workflow (run id and
 * batch number) and is the same on every retry of this batch, so a destination that has already
 * accepted it can recognise the repeat.
 */
public record Batch(
    String sync, String runId, int number, String idempotencyKey, List<DeliveryRow> rows) {

  /** A part of this batch, after the destination refused the whole: its key says which part. */
  Batch part(int index, List<DeliveryRow> subset) {
    return new Batch(sync, runId, number, idempotencyKey + "." + index, subset);
  }
}
