package io.customerstudio.activities.journey;

import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.audience.Condition;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the engine asks the warehouse about a batch of people, through the query engine. */
final class People {

  private final Workspace workspace;

  People(Workspace workspace) {
    this.workspace = workspace;
  }

  Set<String> existing(String parent, Collection<String> persons) {
    return workspace.engine().keyed().existing(parent, persons);
  }

  /** The persons for whom the condition holds now (the audience SQL of that condition). */
  Set<String> matching(
      String parent, Condition condition, Collection<String> persons, Instant now) {
    return workspace.engine().keyed().matching(parent, condition, persons, now);
  }

  /**
   * Each person's zone: the parent's {@code column} when it names a valid zone, else {@code
   * fallback} (also for people the warehouse does not have).
   */
  Map<String, ZoneId> zones(
      String parent, Collection<String> persons, String column, ZoneId fallback, Instant now) {
    ZoneId dflt = fallback == null ? ZoneId.of("UTC") : fallback;
    Map<String, ZoneId> out = new HashMap<>();
    if (column != null) {
      workspace
          .engine()
          .keyed()
          .values(parent, persons, List.of(column), now)
          .forEach(
              (k, row) -> {
                Object v = row.get(column);
                if (v != null) {
                  try {
                    out.put(k, ZoneId.of(v.toString().trim()));
                  } catch (DateTimeException e) {
                    // not a zone: the default applies
                  }
                }
              });
    }
    for (String p : persons) {
      out.putIfAbsent(p, dflt);
    }
    return out;
  }
}
