package io.customerstudio.query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.commons.text.similarity.LevenshteinDistance;

/** Collects problems while a definition is checked, so one pass reports all of them. */
public final class Problems {

  private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();

  private final List<Problem> list = new ArrayList<>();

  public void add(String path, String message) {
    list.add(new Problem(path, message));
  }

  public boolean isEmpty() {
    return list.isEmpty();
  }

  public List<Problem> list() {
    return List.copyOf(list);
  }

  public void throwIfAny() {
    if (!list.isEmpty()) {
      throw new ValidationException(list);
    }
  }

  /** "no column "x" in model "m"; did you mean "y"?" style messages. */
  public static String unknown(String what, String name, String where, Collection<String> known) {
    String base = "no " + what + " \"" + name + "\"" + (where == null ? "" : " in " + where);
    return suggest(name, known)
        .map(s -> base + "; did you mean \"" + s + "\"?")
        .orElseGet(
            () -> base + (known.isEmpty() ? "" : "; known: " + known.stream().sorted().toList()));
  }

  /** The closest known name, if it is close enough to be a plausible typo. */
  public static Optional<String> suggest(String name, Collection<String> known) {
    if (name == null) {
      return Optional.empty();
    }
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    return known.stream()
        .min(
            Comparator.comparingInt(
                (String k) -> DISTANCE.apply(lower, k.toLowerCase(java.util.Locale.ROOT))))
        .filter(
            k ->
                DISTANCE.apply(lower, k.toLowerCase(java.util.Locale.ROOT))
                    <= Math.max(2, name.length() / 3));
  }
}
