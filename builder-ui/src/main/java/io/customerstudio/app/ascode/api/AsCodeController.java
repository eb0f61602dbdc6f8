package io.customerstudio.app.ascode.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.api.Json;
import io.customerstudio.app.ascode.AsCodeService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Schema, templates, audiences and journeys as one JSON or YAML document. */
@RestController
@Tag(name = "As code", description = "Export and import the workspace")
class AsCodeController {

  private static final YAMLMapper YAML = new YAMLMapper();

  private final AsCodeService asCode;

  AsCodeController(AsCodeService asCode) {
    this.asCode = asCode;
  }

  @GetMapping(
      value = "/api/v1/export",
      produces = {MediaType.APPLICATION_JSON_VALUE, "application/yaml"})
  @Operation(
      summary =
          "Schema, templates, audiences and journeys (draft, state, versions) as one document"
              + " (Accept: application/yaml for YAML)")
  ResponseEntity<String> export(
      @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) throws Exception {
    JsonNode doc = asCode.export();
    if (accept != null && accept.contains("yaml")) {
      return ResponseEntity.ok()
          .contentType(MediaType.parseMediaType("application/yaml"))
          .body(YAML.writeValueAsString(doc));
    }
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(Json.write(doc));
  }

  @PostMapping(
      value = "/api/v1/import",
      consumes = {MediaType.APPLICATION_JSON_VALUE, "application/yaml"})
  @Operation(
      summary = "Show (dryRun=true) or apply the differences; all or nothing (admin)",
      description =
          "Journeys: drafts are replaced and versions the workspace lacks are added (a changed"
              + " published version is refused); a journey that gets versions is left paused, so"
              + " an operator resumes it deliberately; one without versions is a draft.")
  AsCodeService.ImportResult importDocument(
      @RequestBody String body,
      @RequestHeader(value = HttpHeaders.CONTENT_TYPE, required = false) String contentType,
      @RequestParam(defaultValue = "true") boolean dryRun,
      Principal me) {
    JsonNode doc;
    try {
      doc =
          contentType != null && contentType.contains("yaml")
              ? YAML.readTree(body)
              : Json.MAPPER.readTree(body);
    } catch (Exception e) {
      throw ApiException.invalid(
          "$",
          "not a valid "
              + (contentType != null && contentType.contains("yaml") ? "YAML" : "JSON")
              + " document: "
              + e.getMessage().lines().findFirst().orElse(""));
    }
    return asCode.importDocument(doc, dryRun, me.getName());
  }
}
