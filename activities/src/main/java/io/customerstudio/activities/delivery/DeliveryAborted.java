package io.customerstudio.activities.delivery;

/**
 * This attempt may no longer send: it was cancelled, Temporal gave its work to another attempt, or
 * it lost its delivery lease. Batches in flight finish and are recorded; nothing new is sent.
 */
public class DeliveryAborted extends RuntimeException {

  public DeliveryAborted(String message, Throwable cause) {
    super(message, cause);
  }
}
