package io.customerstudio.activities.destinations;

/**
 * What a connector calls before each request it makes to its destination: the delivery core waits
 * there for the destination's rate limit and for a pause a {@code Retry-After} asked for, and
 * refuses ({@link io.customerstudio.activities.delivery.DeliveryAborted}) once the attempt may no
 * longer send. A batch may take several requests (a webhook halving a refused batch), each paced.
 */
@FunctionalInterface
public interface Pacer {

  /** No limit: for a connection test, or a connector used outside the delivery core. */
  Pacer NONE = () -> {};

  void beforeRequest();
}
