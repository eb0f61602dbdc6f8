package io.customerstudio.app.journeys.api;

import io.customerstudio.app.journeys.JourneyInsights;
import io.customerstudio.query.ValidationException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * What the journeys API shows (journey spec 6): counts, people at a node, a person's path, the
 * holdout log and the sends. Read-only; a restricted user sees only the people of her subsets.
 */
@RestController
@Tag(
    name = "Journey insights",
    description =
        "Counts per node and edge, who is where, each person's path, the holdout log and the"
            + " sends of a journey. A restricted user sees counts, and only her people in lists"
            + " (a page may come back shorter than asked: page on with after)")
class JourneyInsightsController {

  private final JourneyInsights insights;

  JourneyInsightsController(JourneyInsights insights) {
    this.insights = insights;
  }

  @GetMapping("/api/v1/journeys/{key}/stats")
  @Operation(
      summary = "A journey's counts per node and edge",
      description =
          "{version, state, entered, unknownPeople, nodes: [{id, current, entered, left: {<edge>:"
              + " n}}]}. With version: that version's counts; without: summed over every version,"
              + " version then being the live version (null before the first publish). Nodes in"
              + " the definition's order (summed: the live version's, then those only older"
              + " versions have). current: people at the node now; entered: arrivals; left:"
              + " departures by the next node's id, or exit:<reason> (holdout, exit_criteria,"
              + " stopped) for people who left the journey there. entered (journey): entries;"
              + " unknownPeople: events whose person is not in the parent model. 404 for an"
              + " unknown journey or version.")
  JourneyInsights.Stats stats(
      @PathVariable String key, @RequestParam(required = false) Integer version) {
    return insights.stats(key, version);
  }

  @GetMapping("/api/v1/journeys/{key}/nodes/{id}/people")
  @Operation(
      summary = "Who is at a node now",
      description =
          "[{personKey, since, version}] by personKey; after: the last personKey of the previous"
              + " page; limit 1 to 1000 (default 100). 404 for an unknown journey or node (a node"
              + " of the draft or of any version).")
  List<JourneyInsights.PersonAtNode> people(
      @PathVariable String key,
      @PathVariable String id,
      @RequestParam(required = false) Integer limit,
      @RequestParam(required = false) String after) {
    return insights.atNode(key, id, limit, after);
  }

  @GetMapping("/api/v1/journeys/{key}/people/{personKey}")
  @Operation(
      summary = "A person's path in every entry into the journey",
      description =
          "[{entry, version, enteredAt, exitedAt, exitReason, node, steps: [{node, at, outcome,"
              + " next}]}], oldest entry first. node: where the person is now (null once out);"
              + " exitReason: exit, holdout, exit_criteria or stopped. A step is a node the person"
              + " left: outcome says which edge and why (a branch name, a split group, timeout,"
              + " event <id>, sent, rejected: <reason>, quiet hours, capped, exit criteria,"
              + " stopped, excluded: <reason>, retried); next is null when they left the journey"
              + " there, and the node itself for a step that moved nobody (quiet hours; a retry"
              + " of a rejected send: retried, then its outcome)."
              + " 404 for an unknown journey, or a person who never entered it (or is outside the"
              + " caller's subsets).")
  List<JourneyInsights.PersonPath> path(@PathVariable String key, @PathVariable String personKey) {
    return insights.path(key, personKey);
  }

  @GetMapping(value = "/api/v1/journeys/{key}/holdouts", params = "!format")
  @Operation(
      summary = "The journey's holdout log, oldest first",
      description =
          "[{personKey, node, group, version, at}]: people a split node's holdout group took out"
              + " of the journey. node: one node's only; after: the last personKey of the"
              + " previous page (the page goes on after that person's latest row); limit 1 to 1000"
              + " (default 100); format=csv: the whole log (same filter) as CSV, streamed. Also in"
              + " the warehouse table cs_logs.journey_holdouts. 404 for an unknown journey or"
              + " node.")
  List<JourneyInsights.Holdout> holdouts(
      @PathVariable String key,
      @RequestParam(required = false) String node,
      @RequestParam(required = false) Integer limit,
      @RequestParam(required = false) String after) {
    return insights.holdouts(key, node, limit, after);
  }

  @GetMapping(value = "/api/v1/journeys/{key}/holdouts", params = "format")
  @Operation(summary = "The journey's holdout log as CSV (format=csv), streamed")
  ResponseEntity<StreamingResponseBody> holdoutsCsv(
      @PathVariable String key,
      @Parameter(description = "csv") @RequestParam String format,
      @RequestParam(required = false) String node) {
    if (!"csv".equals(format)) {
      throw ValidationException.of("$.format", "give csv, or leave format out for JSON");
    }
    // checks the journey and node before the response starts: a 404, not a broken stream
    insights.checkHoldouts(key, node);
    StreamingResponseBody body =
        out -> {
          BufferedWriter w =
              new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
          insights.writeHoldoutsCsv(key, node, w);
          w.flush();
        };
    return ResponseEntity.ok()
        .header(
            HttpHeaders.CONTENT_DISPOSITION,
            "attachment; filename=\"journey-holdouts-"
                + key.replaceAll("[^A-Za-z0-9_.-]", "_")
                + ".csv\"")
        .contentType(MediaType.parseMediaType("text/csv"))
        .body(body);
  }

  @GetMapping("/api/v1/journeys/{key}/sends")
  @Operation(
      summary = "The journey's sends (e.g. the rejected ones, to look into or retry)",
      description =
          "[{entry, personKey, node, version, destination, status, reason, createdAt, sentAt}]"
              + " ordered by entry then node. status: pending, sent, rejected, excluded, capped, retrying (queued again by POST"
              + " .../sends/retry, not yet prepared) or cancelled (the journey stopped first);"
              + " node: one send node's only; after: the last row's entry and node joined by a"
              + " colon (42:send-email); limit 1 to 1000 (default 100). 404 for an unknown"
              + " journey or node.")
  List<JourneyInsights.Send> sends(
      @PathVariable String key,
      @RequestParam(required = false) String node,
      @RequestParam(required = false) String status,
      @RequestParam(required = false) Integer limit,
      @RequestParam(required = false) String after) {
    return insights.sends(key, node, status, limit, after);
  }
}
