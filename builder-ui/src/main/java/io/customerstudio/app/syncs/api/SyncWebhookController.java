package io.customerstudio.app.syncs.api;

import io.customerstudio.activities.destinations.Signatures;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.syncs.SyncRuns;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(
    name = "Webhooks",
    description =
        "Real-time triggers, authenticated by signature instead of a login: X-Studio-Signature:"
            + " t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\" with the sync's"
            + " trigger secret>. A bad signature or one more than 300 s off gets 401.")
class SyncWebhookController {

  private final SyncRuns runs;

  SyncWebhookController(SyncRuns runs) {
    this.runs = runs;
  }

  @PostMapping("/api/v1/webhooks/syncs/{key}")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Trigger a run of the sync now")
  Map<String, Object> trigger(
      @PathVariable String key,
      @RequestHeader(name = Signatures.HEADER, required = false) String signature,
      @RequestBody(required = false) byte[] body) {
    try {
      SyncRuns.Enqueued e = runs.webhook(key, signature, body == null ? new byte[0] : body);
      return Map.of("runId", e.runId(), "coalesced", e.coalesced());
    } catch (SyncRuns.TriggerRefused e) {
      throw ApiException.unauthorized(e.getMessage());
    }
  }
}
