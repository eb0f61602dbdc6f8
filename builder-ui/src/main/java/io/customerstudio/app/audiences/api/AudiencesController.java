package io.customerstudio.app.audiences.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.query.engine.AudienceEngine;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** Audiences: CRUD with versions, and computations over any definition. */
@RestController
@RequestMapping("/api/v1/audiences")
@Tag(
    name = "Audiences",
    description =
        "Saved audience definitions (spec/audience-definition.md), previews and evaluation")
class AudiencesController {

  record NewAudience(String key, String name, String description, JsonNode definition) {}

  record AudienceChange(String name, String description, JsonNode definition) {}

  record SamplingRequest(Double percent, Long seed) {}

  /** Body of preview, evaluate and explain: a definition or a saved audience's key. */
  record PreviewRequest(
      JsonNode definition,
      String audience,
      Instant asOf,
      SamplingRequest sampling,
      Integer limit,
      List<String> columns) {}

  record PreviewResponse(
      long count,
      boolean estimated,
      Long sampleCount,
      List<java.util.Map<String, Object>> sample,
      String sql) {}

  private final AudienceService audiences;

  AudiencesController(AudienceService audiences) {
    this.audiences = audiences;
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(
      summary = "Create an audience",
      description = "Validated before saving; errors name JSON paths under $.definition")
  AudienceService.AudienceView create(@RequestBody NewAudience body, Principal me) {
    return audiences.create(
        body.key(), body.name(), body.description(), body.definition(), me.getName());
  }

  @GetMapping
  @Operation(summary = "List audiences", description = "search: part of a key or name")
  List<AudienceService.AudienceView> list(@RequestParam(required = false) String search) {
    return audiences.list(search);
  }

  @GetMapping("/{key}")
  AudienceService.AudienceView get(@PathVariable String key) {
    return audiences.get(key);
  }

  @PutMapping("/{key}")
  @Operation(summary = "Save a new version of an audience")
  AudienceService.AudienceView update(
      @PathVariable String key, @RequestBody AudienceChange body, Principal me) {
    return audiences.update(key, body.name(), body.description(), body.definition(), me.getName());
  }

  @DeleteMapping("/{key}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete an audience", description = "409 while another audience uses it")
  void delete(@PathVariable String key, Principal me) {
    audiences.delete(key, me.getName());
  }

  @GetMapping("/{key}/versions")
  @Operation(summary = "Every saved version, newest first")
  List<AudienceService.VersionView> versions(@PathVariable String key) {
    return audiences.versions(key);
  }

  @PostMapping("/{key}/versions/{version}/restore")
  @Operation(summary = "Save an old version as the newest one")
  AudienceService.AudienceView restore(
      @PathVariable String key, @PathVariable int version, Principal me) {
    return audiences.restore(key, version, me.getName());
  }

  @PostMapping("/preview")
  @Operation(
      summary = "Count members and show a page of them",
      description =
          "Body: {definition} or {audience}, optional asOf, sampling {percent, seed}, limit (default 20), columns (columns or traits)")
  PreviewResponse preview(@RequestBody PreviewRequest body) {
    AudienceEngine.Sampling sampling = null;
    if (body.sampling() != null) {
      if (body.sampling().percent() == null) {
        throw ApiException.invalid("$.sampling.percent", "is required");
      }
      sampling =
          new AudienceEngine.Sampling(
              body.sampling().percent(),
              body.sampling().seed() == null ? 0 : body.sampling().seed());
    }
    AudienceEngine.Preview p =
        audiences.preview(
            new AudienceService.Target(body.definition(), body.audience()),
            body.asOf(),
            sampling,
            body.limit() == null ? 20 : body.limit(),
            body.columns());
    return new PreviewResponse(p.count(), p.estimated(), p.sampleCount(), p.sample(), p.sql());
  }

  @PostMapping(value = "/evaluate", produces = MediaType.TEXT_PLAIN_VALUE)
  @Operation(
      summary = "Stream every member's primary key, one per line",
      description = "Same body as preview, without sampling")
  ResponseEntity<StreamingResponseBody> evaluate(@RequestBody PreviewRequest body) {
    if (body.sampling() != null) {
      throw ApiException.invalid("$.sampling", "evaluate never samples; use preview for estimates");
    }
    AudienceService.Target target = new AudienceService.Target(body.definition(), body.audience());
    // validate before the response starts, so a bad definition is a 400 and not a broken stream
    audiences.explainable(target);
    // prepared here, on the request's thread, where the caller's subsets are known
    var evaluation = audiences.evaluation(target, body.asOf());
    StreamingResponseBody stream =
        out -> {
          BufferedWriter w =
              new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
          evaluation.applyAsLong(
              key -> {
                try {
                  w.write(String.valueOf(key));
                  w.write('\n');
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
          w.flush();
        };
    return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN).body(stream);
  }

  @PostMapping("/explain")
  @Operation(
      summary = "The SQL, the members left after each top-level condition, and the plan cost")
  AudienceEngine.Explanation explain(@RequestBody PreviewRequest body) {
    return audiences.explain(
        new AudienceService.Target(body.definition(), body.audience()), body.asOf());
  }
}
