package io.customerstudio.infra.store;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a sync sends: {@code upsert} (new and changed members), {@code mirror} (also deletes members
 * who left) or {@code insert} (new members only). The wire and stored name is the lower-case
 * constant name.
 */
public enum SyncMode {
  UPSERT,
  MIRROR,
  INSERT;

  /** The wire names, in declaration order: {@code [upsert, mirror, insert]}. */
  public static final List<String> WIRE = Arrays.stream(values()).map(SyncMode::wire).toList();

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The mode of a wire name.
   *
   * @throws IllegalArgumentException when {@code wire} names no mode
   */
  @JsonCreator
  public static SyncMode of(String wire) {
    for (SyncMode m : values()) {
      if (m.wire().equals(wire)) {
        return m;
      }
    }
    throw new IllegalArgumentException("no sync mode \"" + wire + "\"; one of " + WIRE);
  }
}
