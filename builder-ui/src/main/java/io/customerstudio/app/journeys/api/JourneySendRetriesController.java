package io.customerstudio.app.journeys.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.journeys.JourneySendRetries;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Retries a journey's rejected sends (journey spec 3, send). */
@RestController
@Tag(name = "Journeys")
class JourneySendRetriesController {

  /** How many rows were queued again. */
  record Retried(int retried) {}

  private final JourneySendRetries retries;

  JourneySendRetriesController(JourneySendRetries retries) {
    this.retries = retries;
  }

  @PostMapping("/api/v1/journeys/{key}/sends/retry")
  @Operation(
      summary = "Retry the journey's rejected sends",
      description =
          "Body: {node?, entries?}: one send node's rows (default: every send node's), some"
              + " entries' rows (entry ids as GET .../sends shows them; default: every rejected"
              + " row). Queues each row whose status is rejected once (a row queued already is not"
              + " queued twice; its status is retrying until the journey prepares it) and wakes"
              + " the journey, which within seconds checks the frequency cap and governance"
              + " (consent, the destination's rule and subsets) again as on a first send, takes"
              + " the person's values now, and sends the row under a new idempotency key"
              + " (<journey>-v<version>-<node>-retry<n>-<entry>). The outcome replaces the row's"
              + " status (sent, rejected with the new reason, excluded, capped). People who moved"
              + " on stay where they are; a person held at the node (onFailure: wait) moves on"
              + " once the retry is sent. The person's path shows a step retried, then the"
              + " outcome (both at the send node, next being the node itself). A restricted user"
              + " retries only the people of her subsets. Answers {retried: n}. 404 for an"
              + " unknown journey; 400 naming $.node (unknown, or not a send node of a published"
              + " version) or $.entries; 409 when the journey is a draft or stopped.")
  Retried retry(
      @PathVariable String key, @RequestBody(required = false) JsonNode body, Principal me) {
    return new Retried(retries.retryFailed(key, body, me.getName()));
  }
}
