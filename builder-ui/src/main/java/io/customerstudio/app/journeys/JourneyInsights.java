package io.customerstudio.app.journeys;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.api.Json;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.app.security.CurrentRestriction;
import io.customerstudio.infra.store.JourneyInsightsStore;
import io.customerstudio.infra.store.JourneyStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.springframework.stereotype.Service;

/**
 * What a journey shows (journey spec 6): counts per node and edge, who is at a node, a person's
 * path, the holdout log and the sends. Read-only. A restricted user sees the counts (they name
 * nobody) but only the people of her subsets: lists come back without the others (a page may be
 * shorter than asked; page on with {@code after}), and another person's path is a 404, as if there
 * were none.
 */
@Service
public class JourneyInsights {

  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  /** The send statuses the engine writes ({@code journey_send.status}). */
  public static final List<String> SEND_STATUSES =
      List.of("pending", "sent", "rejected", "excluded", "capped", "retrying", "cancelled");

  /**
   * A journey's counts. {@code version}: the version asked for, or the live version when summed
   * over every version (null for a journey never published).
   */
  public record Stats(
      Integer version, String state, long entered, long unknownPeople, List<NodeStats> nodes) {}

  /**
   * A node's counts: people there now, arrivals, and departures by edge (the next node's id, or
   * {@code exit:<reason>}). {@code type} is the node's type in the definition that lists it (null
   * for a node no definition has any more); the API leaves it out (spec 6's shape).
   */
  public record NodeStats(
      String id, @JsonIgnore String type, long current, long entered, Map<String, Long> left) {}

  /** Someone at a node now, since when, on which version. */
  public record PersonAtNode(String personKey, OffsetDateTime since, int version) {}

  /** One entry of a person: where they are now ({@code node}, null once out) and their path. */
  public record PersonPath(
      long entry,
      int version,
      OffsetDateTime enteredAt,
      OffsetDateTime exitedAt,
      String exitReason,
      String node,
      List<PathStep> steps) {}

  /** A node the person left: when, why ({@code outcome}), and where to (null: out). */
  public record PathStep(String node, OffsetDateTime at, String outcome, String next) {}

  /** A row of the journey's holdout log. */
  public record Holdout(
      String personKey, String node, String group, int version, OffsetDateTime at) {}

  /** A send of a person at a send node, with its status and reason (rejected, excluded). */
  public record Send(
      long entry,
      String personKey,
      String node,
      int version,
      String destination,
      String status,
      String reason,
      OffsetDateTime createdAt,
      OffsetDateTime sentAt) {}

  /** A journey's totals for lists: entries so far and people inside now. */
  public record Totals(long entered, long inside) {
    public static final Totals NONE = new Totals(0, 0);
  }

  private static final List<String> HOLDOUT_CSV_HEADER =
      List.of("person_key", "node", "group", "version", "at");

  private final JourneyStore journeys;
  private final JourneyInsightsStore store;
  private final Workspace workspace;
  private final CurrentRestriction restriction;

  public JourneyInsights(
      JourneyStore journeys,
      JourneyInsightsStore store,
      Workspace workspace,
      CurrentRestriction restriction) {
    this.journeys = journeys;
    this.store = store;
    this.workspace = workspace;
    this.restriction = restriction;
  }

  /**
   * The counts of one version, or summed over every version when {@code version} is null. Nodes in
   * the definition's order: the version's (summed: the live version's, then those only older
   * versions have, newest first; a journey never published: its draft's).
   *
   * @throws NotFoundException for an unknown journey or version
   */
  public Stats stats(String key, Integer version) {
    JourneyStore.Journey journey = journey(key);
    List<JourneyStore.Version> versions = journeys.versions(key);
    List<String> definitions = new ArrayList<>();
    if (version != null) {
      definitions.add(
          journeys
              .version(key, version)
              .orElseThrow(
                  () ->
                      new NotFoundException(
                          "Journey '"
                              + key
                              + "' has no version "
                              + version
                              + "; versions: "
                              + versions.stream().map(JourneyStore.Version::version).toList()))
              .definition());
    } else if (versions.isEmpty()) {
      definitions.add(journey.draft());
    } else {
      Integer live = journey.liveVersion();
      versions.stream()
          .filter(v -> live != null && v.version() == live)
          .forEach(v -> definitions.add(v.definition()));
      for (int i = versions.size() - 1; i >= 0; i--) {
        if (live == null || versions.get(i).version() != live) {
          definitions.add(versions.get(i).definition());
        }
      }
    }
    Map<String, String> types = new LinkedHashMap<>();
    definitions.forEach(d -> nodes(d).forEach(types::putIfAbsent));
    Map<String, Long> current = store.current(key, version);
    Map<String, Long> entered = new LinkedHashMap<>();
    Map<String, Map<String, Long>> left = new LinkedHashMap<>();
    for (JourneyInsightsStore.Count c : store.counts(key, version)) {
      if (c.edge().isEmpty()) {
        entered.put(c.node(), c.n());
      } else {
        left.computeIfAbsent(c.node(), k -> new TreeMap<>()).put(c.edge(), c.n());
      }
    }
    // nodes no definition lists (yet the engine counted them) still show, after the others
    Map<String, String> all = new LinkedHashMap<>(types);
    for (Collection<String> ids : List.of(current.keySet(), entered.keySet(), left.keySet())) {
      ids.forEach(id -> all.putIfAbsent(id, null));
    }
    List<NodeStats> nodes = new ArrayList<>();
    all.forEach(
        (id, type) ->
            nodes.add(
                new NodeStats(
                    id,
                    type,
                    current.getOrDefault(id, 0L),
                    entered.getOrDefault(id, 0L),
                    left.getOrDefault(id, Map.of()))));
    return new Stats(
        version != null ? version : journey.liveVersion(),
        journey.state().wire(),
        store.entries(key, version),
        journey.unknownPeople(),
        nodes);
  }

  /**
   * A page of the people at a node now, by person key after {@code after}.
   *
   * @throws NotFoundException for an unknown journey or node
   * @throws ValidationException naming {@code $.limit} when it is out of range
   */
  public List<PersonAtNode> atNode(String key, String node, Integer limit, String after) {
    JourneyStore.Journey journey = journey(key);
    int n = limit(limit);
    knownNode(key, journey, node);
    List<PersonAtNode> page =
        store.atNode(key, node, blankToNull(after), n).stream()
            .map(a -> new PersonAtNode(a.person(), a.since(), a.version()))
            .toList();
    return visibleOnly(journey, page, PersonAtNode::personKey);
  }

  /**
   * A person's path in every entry into the journey, oldest entry first.
   *
   * @throws NotFoundException for an unknown journey, or a person who never entered it (or whom the
   *     current user may not see)
   */
  public List<PersonPath> path(String key, String personKey) {
    JourneyStore.Journey journey = journey(key);
    List<JourneyInsightsStore.Entry> entries = store.path(key, personKey);
    if (entries.isEmpty() || !visible(journey, List.of(personKey)).contains(personKey)) {
      throw new NotFoundException(
          "Person '" + personKey + "' has not entered journey '" + key + "'");
    }
    return entries.stream()
        .map(
            e ->
                new PersonPath(
                    e.id(),
                    e.version(),
                    e.enteredAt(),
                    e.exitedAt(),
                    e.exitReason(),
                    e.node(),
                    e.steps().stream()
                        .map(s -> new PathStep(s.node(), s.at(), s.outcome(), s.next()))
                        .toList()))
        .toList();
  }

  /**
   * A page of the holdout log (of a node, or every node), oldest first. {@code after} is the last
   * person key of the previous page: the page goes on after that person's latest row in the log.
   *
   * @throws NotFoundException for an unknown journey or node
   * @throws ValidationException naming {@code $.limit}, or {@code $.after} for a person not in the
   *     log
   */
  public List<Holdout> holdouts(String key, String node, Integer limit, String after) {
    JourneyStore.Journey journey = journey(key);
    int n = limit(limit);
    String at = blankToNull(node);
    if (at != null) {
      knownNode(key, journey, at);
    }
    Long afterId = null;
    if (blankToNull(after) != null) {
      afterId =
          store
              .holdoutPosition(key, at, after)
              .orElseThrow(
                  () ->
                      ValidationException.of(
                          "$.after",
                          "give the last personKey of the previous page; '"
                              + after
                              + "' is not in this holdout log"));
    }
    List<Holdout> page =
        store.holdouts(key, at, afterId, n).stream().map(JourneyInsights::holdout).toList();
    return visibleOnly(journey, page, Holdout::personKey);
  }

  /**
   * Checks the journey and node before a CSV response starts, so that an unknown one is a 404 and
   * not a broken stream.
   */
  public void checkHoldouts(String key, String node) {
    JourneyStore.Journey journey = journey(key);
    if (blankToNull(node) != null) {
      knownNode(key, journey, node);
    }
  }

  /**
   * The whole holdout log (of a node, or every node), oldest first, as CSV, streamed; a restricted
   * user's rows only. Returns how many rows were written.
   */
  public long writeHoldoutsCsv(String key, String node, Writer out) {
    JourneyStore.Journey journey = journey(key);
    String at = blankToNull(node);
    boolean restricted = restriction.restricted();
    try {
      CSVPrinter csv =
          CSVFormat.RFC4180
              .builder()
              .setHeader(HOLDOUT_CSV_HEADER.toArray(String[]::new))
              .get()
              .print(out);
      List<Holdout> chunk = new ArrayList<>();
      long[] written = {0};
      Runnable flush =
          () -> {
            for (Holdout h : restricted ? visibleOnly(journey, chunk, Holdout::personKey) : chunk) {
              print(csv, h);
              written[0]++;
            }
            chunk.clear();
          };
      store.streamHoldouts(
          key,
          at,
          r -> {
            chunk.add(holdout(r));
            // a restricted user's rows are checked a thousand at a time
            if (!restricted || chunk.size() == MAX_LIMIT) {
              flush.run();
            }
          });
      flush.run();
      csv.flush();
      return written[0];
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A page of the journey's sends, oldest entry first then by node, of a node and status or all.
   * {@code after}: the last row's {@code entry} and {@code node} joined by a colon ({@code
   * 42:send-email}).
   *
   * @throws NotFoundException for an unknown journey or node
   * @throws ValidationException naming {@code $.status}, {@code $.after} or {@code $.limit}
   */
  public List<Send> sends(String key, String node, String status, Integer limit, String after) {
    JourneyStore.Journey journey = journey(key);
    Problems problems = new Problems();
    String st = blankToNull(status);
    if (st != null && !SEND_STATUSES.contains(st)) {
      problems.add("$.status", Problems.unknown("status", st, null, SEND_STATUSES));
    }
    Long afterEntry = null;
    String afterNode = null;
    if (blankToNull(after) != null) {
      String[] parts = after.split(":", 2);
      try {
        afterEntry = Long.parseLong(parts[0]);
        afterNode = parts.length > 1 ? parts[1] : null;
      } catch (NumberFormatException e) {
        problems.add(
            "$.after",
            "give the last row's entry and node joined by a colon (42:send-email), not \""
                + after
                + "\"");
      }
    }
    if (limit != null && (limit < 1 || limit > MAX_LIMIT)) {
      problems.add("$.limit", "must be from 1 to " + MAX_LIMIT);
    }
    problems.throwIfAny();
    String at = blankToNull(node);
    if (at != null) {
      knownNode(key, journey, at);
    }
    List<Send> page =
        store.sends(key, at, st, afterEntry, afterNode, limit(limit)).stream()
            .map(
                s ->
                    new Send(
                        s.entry(),
                        s.person(),
                        s.node(),
                        s.version(),
                        s.destination(),
                        s.status(),
                        s.reason(),
                        s.createdAt(),
                        s.sentAt()))
            .toList();
    return visibleOnly(journey, page, Send::personKey);
  }

  /** Every journey's totals (journeys that never had an entry are absent: {@link Totals#NONE}). */
  public Map<String, Totals> totals() {
    Map<String, Totals> out = new LinkedHashMap<>();
    store.totals().forEach((k, t) -> out.put(k, new Totals(t.entered(), t.inside())));
    return out;
  }

  // ---------------------------------------------------------------- internals

  private JourneyStore.Journey journey(String key) {
    return journeys
        .find(key)
        .orElseThrow(() -> new NotFoundException("Journey '" + key + "' not found"));
  }

  /** A node of the draft or of any version, or a 404 that lists them. */
  private void knownNode(String key, JourneyStore.Journey journey, String node) {
    Set<String> known = new java.util.LinkedHashSet<>(nodes(journey.draft()).keySet());
    journeys.versions(key).forEach(v -> known.addAll(nodes(v.definition()).keySet()));
    if (!known.contains(node)) {
      throw new NotFoundException(
          "Journey '" + key + "' has no node '" + node + "'; its nodes: " + known);
    }
  }

  /**
   * A definition's node ids and types, in its order. Read leniently from the stored JSON (a draft
   * may be unfinished): a node without an id is skipped.
   */
  static Map<String, String> nodes(String definition) {
    Map<String, String> out = new LinkedHashMap<>();
    if (definition == null) {
      return out;
    }
    JsonNode doc = Json.parse(definition);
    for (JsonNode n : doc.path("nodes")) {
      if (n.path("id").isTextual()) {
        out.putIfAbsent(
            n.get("id").asText(), n.path("type").isTextual() ? n.get("type").asText() : null);
      }
    }
    return out;
  }

  private static int limit(Integer limit) {
    if (limit == null) {
      return DEFAULT_LIMIT;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ValidationException.of("$.limit", "must be from 1 to " + MAX_LIMIT);
    }
    return limit;
  }

  /** Of {@code rows}, those whose person the current user may see (all, when unrestricted). */
  private <T> List<T> visibleOnly(
      JourneyStore.Journey journey, List<T> rows, Function<T, String> person) {
    if (rows.isEmpty() || !restriction.restricted()) {
      return rows;
    }
    Set<String> visible = visible(journey, rows.stream().map(person).distinct().toList());
    return rows.stream().filter(r -> visible.contains(person.apply(r))).toList();
  }

  /** Of {@code keys} (of the journey's parent), those the current user may see. */
  private Set<String> visible(JourneyStore.Journey journey, List<String> keys) {
    if (!restriction.restricted()) {
      return Set.copyOf(keys);
    }
    try {
      return restriction.apply(workspace.engine()).visible(journey.parent(), keys);
    } catch (ValidationException e) {
      // the parent model is gone from the schema: nobody can be shown as hers
      return Set.of();
    }
  }

  private static Holdout holdout(JourneyInsightsStore.Holdout h) {
    return new Holdout(h.person(), h.node(), h.group(), h.version(), h.at());
  }

  private static void print(CSVPrinter csv, Holdout h) {
    try {
      csv.printRecord(
          h.personKey(),
          h.node(),
          h.group(),
          h.version(),
          h.at() == null ? null : h.at().toInstant().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
