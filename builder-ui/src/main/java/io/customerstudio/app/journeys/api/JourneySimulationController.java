package io.customerstudio.app.journeys.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.journeys.JourneySimulations;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** What-if runs of a journey (spec 6). */
@RestController
@RequestMapping("/api/v1/journeys")
@Tag(name = "Journeys")
class JourneySimulationController {

  private final JourneySimulations simulations;

  JourneySimulationController(JourneySimulations simulations) {
    this.simulations = simulations;
  }

  @PostMapping("/{key}/simulate")
  @Operation(
      summary = "Simulate a journey on a virtual clock, sending nothing",
      description =
          "Body: {definition?: a draft document (default: the journey's draft), people:"
              + " {audience: KEY} | {snapshot: ID} | {asOf: TIME}, events?: [{eventId, personKey,"
              + " type, properties, occurredAt}], horizon?: ISO duration (default P14D, at most"
              + " P366D)}. The people enter at the start now (asOf: at that time; an"
              + " audience-entry journey's audience as it was then; an event-entry journey is"
              + " entered by the synthetic events). The engine runs its own code on a virtual"
              + " clock up to the horizon: branches by the audience SQL, the journey's own split"
              + " groups, governance, caps and quiet hours. Answers the expected counts per node"
              + " (entered, current at the horizon, left by edge), edges, rows that would be sent"
              + " per destination and rows not sent per reason (capped, excluded). 400 names the"
              + " field ($.nodes[3].next, $.events[2].type).")
  JourneySimulations.Result simulate(
      @PathVariable String key, @RequestBody(required = false) JsonNode body, Principal me) {
    return simulations.simulate(key, body, me.getName());
  }
}
