package io.customerstudio.app.syncs.api;

import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.syncs.Snapshots;
import io.customerstudio.query.ValidationException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

@RestController
@Tag(
    name = "Snapshots",
    description =
        "Audience membership at a point in time: snapshots (on demand, or after every run of a"
            + " sync with snapshots on) and the enter/exit log behind membership?at=.")
class SnapshotsController {

  private final Snapshots snapshots;

  SnapshotsController(Snapshots snapshots) {
    this.snapshots = snapshots;
  }

  @PostMapping("/api/v1/audiences/{key}/snapshots")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Evaluate the audience now and keep its members")
  Snapshots.Snapshot take(@PathVariable String key, Principal me) {
    try {
      return snapshots.take(key, me.getName());
    } catch (ValidationException e) {
      throw SyncsController.invalid(e);
    }
  }

  @GetMapping("/api/v1/audiences/{key}/snapshots")
  List<Snapshots.Snapshot> list(@PathVariable String key) {
    return snapshots.list(key);
  }

  @GetMapping(value = "/api/v1/snapshots/{id}/members", produces = "text/csv")
  @Operation(summary = "A snapshot's member keys as CSV (header: key)")
  ResponseEntity<StreamingResponseBody> members(@PathVariable long id) {
    Snapshots.Snapshot s = snapshots.find(id);
    Snapshots.CsvExport export = snapshots.csv(id); // as the caller: her subsets only
    StreamingResponseBody body =
        out -> {
          BufferedWriter w =
              new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
          export.writeTo(w);
        };
    return ResponseEntity.ok()
        .header(
            HttpHeaders.CONTENT_DISPOSITION,
            "attachment; filename=\"" + s.audience() + "-snapshot-" + id + ".csv\"")
        .contentType(MediaType.parseMediaType("text/csv"))
        .body(body);
  }

  @GetMapping("/api/v1/audiences/{key}/membership")
  @Operation(
      summary = "Who was in the audience at a time",
      description =
          "From the enter/exit log written by every run and snapshot: each member, since when,"
              + " and the definition version that admitted them.")
  Snapshots.Membership membership(
      @PathVariable String key,
      @RequestParam String at,
      @RequestParam(defaultValue = "0") int offset,
      @RequestParam(defaultValue = "100") int limit) {
    Instant when;
    try {
      when = Instant.parse(at);
    } catch (DateTimeParseException e) {
      throw ApiException.invalid("at", "an ISO-8601 time such as 2026-11-01T00:00:00Z");
    }
    return snapshots.membership(key, when, offset, limit);
  }
}
