package io.customerstudio.app.events.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.customerstudio.activities.destinations.Signatures;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.events.EventService;
import io.customerstudio.app.events.EventSourceService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The signed door of the event stream. No login: the signature over the raw body is checked first,
 * before the body is read, so an unsigned request learns nothing (not even whether the source
 * exists) and costs no parsing.
 */
@RestController
@Tag(name = "Webhooks")
class EventWebhookController {

  private final EventService events;
  private final EventSourceService sources;
  private final ObjectMapper json;

  EventWebhookController(EventService events, EventSourceService sources, ObjectMapper json) {
    this.events = events;
    this.sources = sources;
    this.json = json;
  }

  @PostMapping("/api/v1/webhooks/events/{source}")
  @Operation(
      summary = "Append events from an event source",
      description =
          "Signed with the source's secret: X-Studio-Signature: t=<unix seconds>,v1=<hex"
              + " HMAC-SHA256 of \"<t>.<raw body>\">, at most 300 s off. An unknown source or a"
              + " missing, wrong or stale signature gets 401. Events are stored with source = the"
              + " source's key. "
              + EventsController.BODY)
  EventService.Accepted append(
      @PathVariable String source,
      @RequestHeader(name = Signatures.HEADER, required = false) String signature,
      @RequestBody(required = false) byte[] body) {
    byte[] raw = body == null ? new byte[0] : body;
    try {
      sources.verify(source, signature, raw);
    } catch (EventSourceService.SignatureRefused e) {
      throw ApiException.unauthorized(e.getMessage());
    }
    JsonNode parsed;
    try {
      parsed = json.readTree(raw);
    } catch (JsonProcessingException e) {
      throw ApiException.invalid("$", "malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiException.invalid("$", "the request body could not be read");
    }
    return EventsController.append(events, parsed, source);
  }
}
