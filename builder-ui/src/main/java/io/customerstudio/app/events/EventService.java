package io.customerstudio.app.events;

import io.customerstudio.infra.store.EventStore;
import io.customerstudio.query.Problem;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.workflows.journey.JourneyOrchestrator;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * The event stream's one way in (journey spec 5), for both doors: the authenticated API and the
 * signed webhooks. A batch is checked whole (every problem, each at its JSON path) and appended all
 * or nothing; the answer comes after the commit, so an accepted event is durable. Then the running
 * journeys are nudged (coalesced by the orchestrator).
 */
@Service
public class EventService {

  /** The most events one request may carry. */
  public static final int MAX_EVENTS = 1000;

  public static final int MAX_ID = 200;
  public static final int MAX_PERSON = 200;
  public static final int MAX_TYPE = 100;

  /** The longest properties object, as compact JSON text. */
  public static final int MAX_PROPERTIES = 65_536;

  /**
   * One event as a request gave it; {@code properties} is JSON object text, {@code occurredAt} null
   * for "now".
   */
  public record EventDraft(
      String eventId, String personKey, String type, String properties, Instant occurredAt) {}

  /**
   * The events of one request. {@code single}: the body was one event, so its fields' paths are
   * {@code $.<field>}; otherwise {@code $.events[i].<field>}.
   */
  public record EventBatch(boolean single, List<EventDraft> events) {

    public String path(int index) {
      return single ? "$" : "$.events[" + index + "]";
    }
  }

  /** What was taken: new events stored, and events whose id was known already. */
  public record Accepted(int accepted, int duplicates) {}

  /** An event as the UI lists it. */
  public record EventView(
      long seq,
      String eventId,
      String personKey,
      String type,
      String properties,
      OffsetDateTime occurredAt,
      OffsetDateTime receivedAt,
      String source) {}

  private final EventStore store;
  private final JourneyOrchestrator orchestrator;
  private final Clock clock;

  public EventService(EventStore store, JourneyOrchestrator orchestrator, Clock clock) {
    this.store = store;
    this.orchestrator = orchestrator;
    this.clock = clock;
  }

  /**
   * Checks and appends a batch.
   *
   * @param found problems the request's reader found already (reported with the service's own)
   * @param source the event source's key, or null for the authenticated API
   * @throws ValidationException with every problem; then nothing of the batch is stored
   */
  public Accepted append(EventBatch batch, Problems found, String source) {
    List<Problem> reported = found.list();
    if (batch.events().size() > MAX_EVENTS) {
      found.add("$.events", "at most " + MAX_EVENTS + " events per request");
      found.throwIfAny();
    }
    if (!batch.single() && batch.events().isEmpty() && reported.isEmpty()) {
      found.add("$.events", "give at least one event");
    }
    Instant now = clock.instant();
    List<EventStore.NewEvent> events = new ArrayList<>(batch.events().size());
    for (int i = 0; i < batch.events().size(); i++) {
      EventDraft e = batch.events().get(i);
      String at = batch.path(i);
      if (e == null) {
        continue; // its reader reported it
      }
      text(e.eventId(), at + ".eventId", MAX_ID, reported, found);
      text(e.personKey(), at + ".personKey", MAX_PERSON, reported, found);
      text(e.type(), at + ".type", MAX_TYPE, reported, found);
      if (e.properties() != null && e.properties().length() > MAX_PROPERTIES) {
        found.add(
            at + ".properties",
            "at most " + MAX_PROPERTIES + " characters of JSON; keep large payloads elsewhere");
      }
      events.add(
          new EventStore.NewEvent(
              e.eventId(),
              e.personKey(),
              e.type(),
              e.properties(),
              e.occurredAt() == null ? now : e.occurredAt()));
    }
    found.throwIfAny();
    EventStore.Appended appended = store.append(events, source);
    if (appended.accepted() > 0) {
      orchestrator.eventsArrived();
    }
    return new Accepted(appended.accepted(), appended.duplicates());
  }

  /** The newest events first, for a person to look at (1 to 1,000 per page). */
  public List<EventView> recent(int offset, int limit) {
    return store.recent(offset, limit).stream()
        .map(
            e ->
                new EventView(
                    e.seq(),
                    e.eventId(),
                    e.person(),
                    e.type(),
                    e.properties(),
                    e.occurredAt(),
                    e.receivedAt(),
                    e.source()))
        .toList();
  }

  /** Required, not blank, at most {@code max} characters, no NUL (the store cannot hold one). */
  private static void text(
      String value, String path, int max, List<Problem> reported, Problems found) {
    if (reported.stream().anyMatch(p -> p.path().equals(path))) {
      return; // the reader said what is wrong with it already
    }
    if (value == null || value.isBlank()) {
      found.add(path, "required");
    } else if (value.length() > max) {
      found.add(path, "at most " + max + " characters (was " + value.length() + ")");
    } else if (value.indexOf('\0') >= 0) {
      found.add(path, "must not contain the NUL character");
    }
  }
}
