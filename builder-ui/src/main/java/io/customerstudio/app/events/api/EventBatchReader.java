package io.customerstudio.app.events.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.events.EventService;
import io.customerstudio.query.Problems;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads an events body, {@code {eventId, personKey, type, properties?, occurredAt?}} or {@code
 * {"events": [...]}}, into an {@link EventService.EventBatch}. It reports what a draft cannot hold
 * (a wrong type, an unknown field, a timestamp that is not an ISO instant, too many events), each
 * at its JSON path, and leaves that field null; required fields and lengths are the service's.
 */
final class EventBatchReader {

  static final Set<String> FIELDS =
      Set.of("eventId", "personKey", "type", "properties", "occurredAt");

  private EventBatchReader() {}

  static EventService.EventBatch read(JsonNode body, Problems found) {
    if (body == null || !body.isObject()) {
      found.add("$", "give one event as a JSON object, or {\"events\": [...]}");
      return new EventService.EventBatch(true, List.of());
    }
    if (!body.has("events")) {
      return new EventService.EventBatch(true, List.of(event(body, "$", found)));
    }
    unknown(body, Set.of("events"), "$", found);
    JsonNode list = body.get("events");
    if (!list.isArray()) {
      found.add("$.events", "give a list of events");
      return new EventService.EventBatch(false, List.of());
    }
    if (list.size() > EventService.MAX_EVENTS) {
      found.add(
          "$.events",
          "at most " + EventService.MAX_EVENTS + " events per request (was " + list.size() + ")");
      return new EventService.EventBatch(false, List.of());
    }
    List<EventService.EventDraft> events = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      String path = "$.events[" + i + "]";
      if (!list.get(i).isObject()) {
        found.add(path, "give the event as a JSON object");
        events.add(null);
      } else {
        events.add(event(list.get(i), path, found));
      }
    }
    return new EventService.EventBatch(false, events);
  }

  private static EventService.EventDraft event(JsonNode e, String path, Problems found) {
    unknown(e, FIELDS, path, found);
    return new EventService.EventDraft(
        text(e.path("eventId"), path + ".eventId", found),
        personKey(e.path("personKey"), path + ".personKey", found),
        text(e.path("type"), path + ".type", found),
        properties(e.path("properties"), path + ".properties", found),
        instant(e.path("occurredAt"), path + ".occurredAt", found));
  }

  private static void unknown(JsonNode o, Set<String> known, String path, Problems found) {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        found.add(path + "." + name, "unknown field; known: " + known.stream().sorted().toList());
      }
    }
  }

  private static String text(JsonNode v, String path, Problems found) {
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      found.add(path, "give text");
      return null;
    }
    return v.asText();
  }

  /** Text, or a whole number taken as its digits. */
  private static String personKey(JsonNode v, String path, Problems found) {
    if (v.isIntegralNumber()) {
      return v.bigIntegerValue().toString();
    }
    if (!v.isMissingNode() && !v.isNull() && !v.isTextual()) {
      found.add(path, "give the person's key as text or a whole number");
      return null;
    }
    return text(v, path, found);
  }

  private static String properties(JsonNode v, String path, Problems found) {
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      found.add(path, "give a JSON object, such as {\"value\": 35.5}");
      return null;
    }
    return v.toString();
  }

  /** An ISO-8601 instant with its offset ({@code 2026-12-01T10:00:00Z}), years 1 to 9999. */
  private static Instant instant(JsonNode v, String path, Problems found) {
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    String hint = "give an ISO-8601 instant such as \"2026-12-01T10:00:00Z\"";
    if (!v.isTextual()) {
      found.add(path, hint);
      return null;
    }
    try {
      OffsetDateTime t = OffsetDateTime.parse(v.asText());
      if (t.getYear() < 1 || t.getYear() > 9999) {
        found.add(path, "a year from 1 to 9999");
        return null;
      }
      return t.toInstant();
    } catch (DateTimeException e) {
      found.add(path, hint + " (was \"" + abbreviate(v.asText()) + "\")");
      return null;
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
