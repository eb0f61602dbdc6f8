package io.customerstudio.app.journeys.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.journeys.JourneyDefinitions;
import io.customerstudio.query.Problem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/journeys")
@Tag(
    name = "Journeys",
    description =
        "Multi-step journeys (journey-definition.md): a draft document that is edited freely,"
            + " published as immutable versions 1, 2, ..., and a state: draft (never published),"
            + " live, paused (no new entries; sends hold), stopped (everyone exits; final).")
class JourneysController {

  /** What validate answers: every problem publishing now would report. */
  record Validation(List<Problem> problems) {}

  private final JourneyDefinitions journeys;

  JourneysController(JourneyDefinitions journeys) {
    this.journeys = journeys;
  }

  @GetMapping
  @Operation(summary = "Every journey, by name: key, name, parent, state, liveVersion, updatedAt")
  List<JourneyDefinitions.Summary> list() {
    return journeys.list();
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(
      summary = "Create a journey (state draft)",
      description =
          "Body: the journey document {key, name, parent, entry, reentry?, exitCriteria?,"
              + " settings?, start, nodes}. key, name and parent are required; the rest may be"
              + " incomplete while it is drafted, but must have the document's shapes (unknown"
              + " fields, bad durations, times or zones are 400 naming the JSON path). 409 when"
              + " the key is taken.")
  JourneyDefinitions.Detail create(@RequestBody JsonNode body, Principal me) {
    return journeys.create(body, me.getName());
  }

  @GetMapping("/{key}")
  @Operation(
      summary = "A journey: its draft document, state, liveVersion and versions",
      description = "versions: [{version, publishedAt, publishedBy}], oldest first.")
  JourneyDefinitions.Detail get(@PathVariable String key) {
    return journeys.find(key);
  }

  @PutMapping("/{key}")
  @Operation(
      summary = "Replace the draft",
      description =
          "Body: the document, read as on create; its key must be the path's or absent."
              + " Published versions never change; publish the draft to make it live. 409 when the"
              + " journey is stopped.")
  JourneyDefinitions.Detail update(
      @PathVariable String key, @RequestBody JsonNode body, Principal me) {
    return journeys.update(key, body, me.getName());
  }

  @DeleteMapping("/{key}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(
      summary = "Delete a journey with its versions and history",
      description = "409 while it is live or paused: stop it first.")
  void delete(@PathVariable String key, Principal me) {
    journeys.delete(key, me.getName());
  }

  @PostMapping("/{key}/validate")
  @Operation(
      summary = "What publishing the draft now would refuse",
      description =
          "{problems: [{path, message}]}, empty when the draft can be published: unknown or"
              + " unreachable nodes, dangling edges ($.nodes[3].next), cycles without a wait,"
              + " split percentages, unknown destinations, audiences, columns, traits, mapping"
              + " sources.")
  Validation validate(@PathVariable String key) {
    return new Validation(journeys.validate(key));
  }

  @GetMapping("/{key}/versions/{version}")
  @Operation(summary = "A published version's document")
  JourneyDefinitions.VersionView version(@PathVariable String key, @PathVariable int version) {
    return journeys.version(key, version);
  }

  @PostMapping("/{key}/publish")
  @Operation(
      summary = "Publish the draft as version N+1",
      description =
          "Body: {migrate: false} (optional). Validates the draft (400 with every problem and its"
              + " path), makes it the live version N+1 (a paused journey stays paused) and wakes"
              + " the journey. With migrate: true, everyone waiting at a node whose id exists in"
              + " the new version moves to it, keeping the time already waited; people at other"
              + " nodes finish on their version. Answers {version, state, migrated}. 409 when the"
              + " journey is stopped.")
  JourneyDefinitions.Published publish(
      @PathVariable String key, @RequestBody(required = false) JsonNode body, Principal me) {
    return journeys.publish(key, migrate(body), me.getName());
  }

  /** {@code {"migrate": true|false}}, an empty object or no body; anything else is a 400. */
  private static boolean migrate(JsonNode body) {
    if (body == null || body.isNull()) {
      return false;
    }
    if (!body.isObject()) {
      throw ApiException.invalid("$", "expected {\"migrate\": true} or {\"migrate\": false}");
    }
    List<ApiException.FieldError> errors = new java.util.ArrayList<>();
    body.fieldNames()
        .forEachRemaining(
            f -> {
              if (!f.equals("migrate")) {
                errors.add(
                    new ApiException.FieldError("$." + f, "unknown field; allowed: migrate"));
              }
            });
    JsonNode m = body.get("migrate");
    if (m != null && !m.isNull() && !m.isBoolean()) {
      errors.add(new ApiException.FieldError("$.migrate", "expected true or false"));
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    return m != null && m.asBoolean();
  }

  @PostMapping("/{key}/pause")
  @Operation(
      summary = "Pause a live journey",
      description =
          "No new entries; people reaching a send node hold there until resume; timers keep"
              + " running. 409 unless live.")
  JourneyDefinitions.Summary pause(@PathVariable String key, Principal me) {
    return journeys.pause(key, me.getName());
  }

  @PostMapping("/{key}/resume")
  @Operation(summary = "Resume a paused journey", description = "409 unless paused.")
  JourneyDefinitions.Summary resume(@PathVariable String key, Principal me) {
    return journeys.resume(key, me.getName());
  }

  @PostMapping("/{key}/stop")
  @Operation(
      summary = "Stop a live or paused journey, for good",
      description =
          "Everyone still inside exits with reason stopped. Final: every change after it is 409.")
  JourneyDefinitions.Summary stop(@PathVariable String key, Principal me) {
    return journeys.stop(key, me.getName());
  }
}
