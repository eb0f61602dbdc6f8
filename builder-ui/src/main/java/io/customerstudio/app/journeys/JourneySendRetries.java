package io.customerstudio.app.journeys;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.app.security.CurrentRestriction;
import io.customerstudio.infra.store.JourneyStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.ValidationException;
import io.customerstudio.workflows.journey.JourneyOrchestrator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Retries a journey's rejected sends (journey spec 3: "a row the destination rejects is kept with
 * its reason and can be retried"), like a replay of a failed sync run: only rows whose status is
 * {@code rejected} are queued again, each once however many calls race (a row queued is no longer
 * rejected); the engine then re-checks the frequency cap and governance (consent, the destination's
 * rule and subsets, the journey's creator's restriction) as on a first send, takes the person's
 * values now, and delivers the row under a new idempotency key ({@code <run>-retry<n>-<entry>}), so
 * the destination does not dedupe it away, yet a crash mid-delivery resends under that same key.
 * The outcome replaces the row's status. People who moved on do not move again; a person held at
 * the node by {@code "onFailure": "wait"} moves on when the retry is sent.
 *
 * <p>A restricted user retries only the people of her subsets: rows of others are left alone (and
 * not counted), as the sends list leaves them out for her.
 */
@Service
public class JourneySendRetries {

  private static final Logger log = LoggerFactory.getLogger(JourneySendRetries.class);

  /** At most this many entries named in one call. */
  public static final int MAX_ENTRIES = 10_000;

  private static final int PAGE = 5_000;

  private final JourneyStore journeys;
  private final Workspace workspace;
  private final CurrentRestriction restriction;
  private final JourneyOrchestrator orchestrator;
  private final AuditTrail audit;

  public JourneySendRetries(
      JourneyStore journeys,
      Workspace workspace,
      CurrentRestriction restriction,
      JourneyOrchestrator orchestrator,
      AuditTrail audit) {
    this.journeys = journeys;
    this.workspace = workspace;
    this.restriction = restriction;
    this.orchestrator = orchestrator;
    this.audit = audit;
  }

  /** What the audit trail records of a retry (before: null; after: this). */
  public record Retried(String node, List<Long> entries, int retried) {}

  /**
   * Queues the journey's rejected sends again and wakes the journey, which delivers them within
   * seconds.
   *
   * @param node a send node of a published version, or null for every send node
   * @param entries entry ids (as the sends list shows them), or null for every rejected row
   * @return how many rows were queued
   * @throws NotFoundException for an unknown journey
   * @throws ValidationException naming {@code $.node} (unknown, or not a send node) or {@code
   *     $.entries}
   * @throws ConflictException when the journey is a draft or stopped
   */
  public int retryFailed(String journeyKey, String node, List<Long> entries, String actor) {
    JourneyStore.Journey journey =
        journeys
            .find(journeyKey)
            .orElseThrow(() -> new NotFoundException("Journey '" + journeyKey + "' not found"));
    if (!journey.state().running()) {
      throw notRunning(journey);
    }
    String at = node == null || node.isBlank() ? null : node;
    if (at != null) {
      Map<String, String> types = new LinkedHashMap<>();
      journeys
          .versions(journeyKey)
          .forEach(v -> JourneyInsights.nodes(v.definition()).forEach(types::putIfAbsent));
      List<String> sendNodes =
          types.entrySet().stream()
              .filter(e -> "send".equals(e.getValue()))
              .map(e -> e.getKey())
              .toList();
      if (!types.containsKey(at)) {
        throw ValidationException.of(
            "$.node",
            "journey '"
                + journeyKey
                + "' has no node '"
                + at
                + "' in a published version; its send nodes: "
                + sendNodes);
      }
      if (!sendNodes.contains(at)) {
        throw ValidationException.of(
            "$.node",
            "'"
                + at
                + "' is a node of type "
                + types.get(at)
                + "; only a send node's rows are retried; send nodes: "
                + sendNodes);
      }
    }
    Set<Long> wanted = null;
    if (entries != null) {
      if (entries.isEmpty()) {
        throw ValidationException.of(
            "$.entries",
            "give at least one entry, or leave entries out to retry every rejected row");
      }
      if (entries.size() > MAX_ENTRIES) {
        throw ValidationException.of("$.entries", "at most " + MAX_ENTRIES + " entries at once");
      }
      wanted = new LinkedHashSet<>();
      for (int i = 0; i < entries.size(); i++) {
        if (entries.get(i) == null) {
          throw ValidationException.of("$.entries[" + i + "]", "give an entry id (a number)");
        }
        wanted.add(entries.get(i));
      }
    }
    int retried = 0;
    long afterEntry = 0;
    String afterNode = "";
    while (true) {
      List<JourneyStore.RejectedSend> page =
          journeys.rejectedSends(journeyKey, at, wanted, afterEntry, afterNode, PAGE);
      if (page.isEmpty()) {
        break;
      }
      JourneyStore.RejectedSend last = page.get(page.size() - 1);
      afterEntry = last.entry();
      afterNode = last.node();
      List<JourneyStore.RejectedSend> mine = visibleOnly(journey, page);
      int queued =
          journeys
              .queueRetries(journeyKey, mine)
              .orElseThrow(
                  () ->
                      notRunning(
                          journeys
                              .find(journeyKey)
                              .orElseThrow(
                                  () ->
                                      new NotFoundException(
                                          "Journey '" + journeyKey + "' not found"))));
      retried += queued;
      if (page.size() < PAGE) {
        break;
      }
    }
    if (retried > 0) {
      // a call that queued nothing changed nothing: no entry
      audit.record(
          actor,
          AuditTrail.Entity.JOURNEY,
          journeyKey,
          AuditTrail.Action.RETRY,
          null,
          new Retried(at, wanted == null ? null : List.copyOf(wanted), retried));
      wake(journeyKey);
    }
    return retried;
  }

  /** Reads the API body {@code {"node": ..., "entries": [...]}}; both optional. */
  public int retryFailed(String journeyKey, JsonNode body, String actor) {
    String node = null;
    List<Long> entries = null;
    if (body != null && !body.isNull() && !body.isMissingNode()) {
      if (!body.isObject()) {
        throw ValidationException.of("$", "expected {\"node\": ..., \"entries\": [...]} or {}");
      }
      var names = body.fieldNames();
      while (names.hasNext()) {
        String f = names.next();
        if (!f.equals("node") && !f.equals("entries")) {
          throw ValidationException.of("$." + f, "unknown field; allowed: node, entries");
        }
      }
      JsonNode n = body.get("node");
      if (n != null && !n.isNull()) {
        if (!n.isTextual()) {
          throw ValidationException.of("$.node", "give a send node's id (a string)");
        }
        node = n.asText();
      }
      JsonNode e = body.get("entries");
      if (e != null && !e.isNull()) {
        if (!e.isArray()) {
          throw ValidationException.of("$.entries", "give an array of entry ids");
        }
        entries = new ArrayList<>();
        for (int i = 0; i < e.size(); i++) {
          JsonNode v = e.get(i);
          if (!v.canConvertToExactIntegral() || !v.canConvertToLong() || v.asLong() < 1) {
            throw ValidationException.of("$.entries[" + i + "]", "give an entry id (a number)");
          }
          entries.add(v.asLong());
        }
      }
    }
    return retryFailed(journeyKey, node, entries, actor);
  }

  private static ConflictException notRunning(JourneyStore.Journey journey) {
    return new ConflictException(
        "Journey '"
            + journey.key()
            + "' is "
            + journey.state().wire()
            + "; only a live or paused journey retries its sends"
            + (journey.state() == JourneyStore.State.STOPPED ? " (stopped is final)" : ""));
  }

  /** Of {@code rows}, those whose person the current user may see (all, when unrestricted). */
  private List<JourneyStore.RejectedSend> visibleOnly(
      JourneyStore.Journey journey, List<JourneyStore.RejectedSend> rows) {
    if (rows.isEmpty() || !restriction.restricted()) {
      return rows;
    }
    Set<String> visible;
    try {
      visible =
          restriction
              .apply(workspace.engine())
              .visible(
                  journey.parent(),
                  rows.stream().map(JourneyStore.RejectedSend::person).distinct().toList());
    } catch (ValidationException e) {
      // the parent model is gone from the schema: nobody can be shown as hers
      return List.of();
    }
    return rows.stream().filter(r -> visible.contains(r.person())).toList();
  }

  /** Wakes the journey's workflow; a failure now is retried by the orchestrator's next nudge. */
  private void wake(String key) {
    try {
      orchestrator.nudge(key);
    } catch (RuntimeException e) {
      log.atWarn()
          .addKeyValue("journey", key)
          .log("waking journey {} failed, retrying soon: {}", key, e.getMessage());
      orchestrator.nudgeSoon(key);
    }
  }
}
