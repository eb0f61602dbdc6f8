package io.customerstudio.activities.delivery;

/**
 * A destination failed in a way this attempt cannot ride out: its outage outlasted its budget, or
 * it refused a batch permanently. The message is a sentence naming the destination and its last
 * error; the run ends failed and can be replayed once the destination is fixed.
 */
public class DestinationFailed extends RuntimeException {

  public DestinationFailed(String message, Throwable cause) {
    super(message, cause);
  }
}
