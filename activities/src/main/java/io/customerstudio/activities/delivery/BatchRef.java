package io.customerstudio.activities.delivery;

/** A batch of a run by number, with the idempotency key the workflow made for it. */
public record BatchRef(int number, String idempotencyKey) {}
