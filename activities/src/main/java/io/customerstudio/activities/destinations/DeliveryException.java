package io.customerstudio.activities.destinations;

/**
 * The destination could not take a batch at all, after its retries: unreachable, or failing for
 * every request. The batch is not recorded as delivered; the activity's own retry (or a replay)
 * sends it again under the same idempotency key.
 */
public class DeliveryException extends RuntimeException {

  public DeliveryException(String message, Throwable cause) {
    super(message, cause);
  }

  public DeliveryException(String message) {
    super(message);
  }
}
