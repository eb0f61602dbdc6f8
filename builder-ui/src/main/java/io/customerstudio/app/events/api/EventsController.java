package io.customerstudio.app.events.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.events.EventService;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(
    name = "Events",
    description =
        "The event stream journeys react to. Two doors feed it: this endpoint (a login or token"
            + " with role MARKETER) and the signed webhook of an event source"
            + " (/api/v1/webhooks/events/{source}).")
class EventsController {

  static final String BODY =
      "Body: one event {eventId, personKey, type, properties?, occurredAt?} or {\"events\":"
          + " [...]} with at most 1,000. eventId (at most 200 characters) makes it idempotent:"
          + " the same id again is accepted and changes nothing (counted in duplicates). personKey:"
          + " text or a whole number (at most 200 characters); type: at most 100 characters;"
          + " properties: a JSON object (at most 64 KiB as JSON); occurredAt: an ISO-8601"
          + " instant, default now. A malformed event is a 400 naming $.events[i].<field> ($.<field>"
          + " for a single event) and nothing of the request is stored. The answer {accepted,"
          + " duplicates} comes after the commit: accepted events are durable.";

  private final EventService events;

  EventsController(EventService events) {
    this.events = events;
  }

  @PostMapping("/api/v1/events")
  @Operation(summary = "Append events to the stream", description = BODY)
  EventService.Accepted append(@RequestBody JsonNode body) {
    return append(events, body, null);
  }

  /** Reads, checks and appends; shared by both doors. */
  static EventService.Accepted append(EventService events, JsonNode body, String source) {
    Problems found = new Problems();
    EventService.EventBatch batch = EventBatchReader.read(body, found);
    try {
      return events.append(batch, found, source);
    } catch (ValidationException e) {
      throw ApiException.invalid(ApiException.errorsOf(e));
    }
  }
}
