package io.customerstudio.app.insights.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.query.engine.AudienceEngine;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Comparing and breaking down audiences, and looking at one member. */
@RestController
@Tag(name = "Insights", description = "Overlap, breakdown and member profiles")
class InsightsController {

  record OverlapRequest(List<String> audiences, Instant asOf) {}

  record BreakdownRequest(
      String audience,
      JsonNode definition,
      String column,
      String trait,
      Instant asOf,
      Integer limit) {}

  private final AudienceService audiences;

  InsightsController(AudienceService audiences) {
    this.audiences = audiences;
  }

  @PostMapping("/api/v1/insights/overlap")
  @Operation(summary = "Sizes, pairwise and all-way intersections of 2 to 10 saved audiences")
  AudienceEngine.Overlap overlap(@RequestBody OverlapRequest body) {
    return audiences.overlap(body.audiences(), body.asOf());
  }

  @PostMapping("/api/v1/insights/breakdown")
  @Operation(
      summary =
          "Members by a column or trait: top values and other, or histogram buckets for numbers and times")
  AudienceEngine.Breakdown breakdown(@RequestBody BreakdownRequest body) {
    return audiences.breakdown(
        new AudienceService.Target(body.definition(), body.audience()),
        body.column(),
        body.trait(),
        body.asOf(),
        body.limit());
  }

  @GetMapping("/api/v1/profiles/{model}/{key}")
  @Operation(summary = "One row of a model: properties, traits, latest related rows and events")
  AudienceEngine.Profile profile(@PathVariable String model, @PathVariable String key) {
    return audiences
        .profile(model, key)
        .orElseThrow(
            () ->
                io.customerstudio.app.api.ApiException.notFound(
                    "No " + model + " with key " + key));
  }
}
