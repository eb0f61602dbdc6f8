package io.customerstudio.app.consent.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.consent.ConsentService;
import io.customerstudio.query.governance.ConsentPurposes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The consent source: read by everyone logged in, set and removed by admins. */
@RestController
@RequestMapping("/api/v1/consent")
@Tag(
    name = "Consent",
    description =
        "Where consent comes from (governance spec, section 5): a OneTrust-shaped table or"
            + " read-only query of receipts (subject, purpose, status, timestamp) joined to parent"
            + " models on parentColumn. The latest receipt per (subject, purpose) by timestamp"
            + " wins and a tie blocks; ACTIVE and ALWAYS_ACTIVE allow, every other status blocks;"
            + " subjects and the parent column are compared trimmed and case-insensitively; with"
            + " no receipt, missing decides (default, or per purpose). A destination's"
            + " consentPurposes must all allow; a person who is blocked now is removed from"
            + " upsert and mirror destinations on the next run.")
class ConsentController {

  private final ConsentService consent;

  ConsentController(ConsentService consent) {
    this.consent = consent;
  }

  @GetMapping
  @Operation(summary = "The consent source (404 when none is set)")
  JsonNode get() {
    return consent.get().toJson();
  }

  @PutMapping
  @Operation(
      summary = "Set the consent source (admin)",
      description =
          "Checked against the warehouse: the table exists (or the sql is one read-only query),"
              + " the four receipt columns exist in it and timestampColumn is a date or"
              + " timestamp; parent, if given, is a parent model with parentColumn, else at least"
              + " one parent model has parentColumn. Problems name their JSON path.")
  JsonNode put(@RequestBody JsonNode body, Principal me) {
    return consent.put(body, me.getName()).toJson();
  }

  @DeleteMapping
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Remove the consent source (admin): runs stop applying consent")
  void delete(Principal me) {
    consent.delete(me.getName());
  }

  @GetMapping("/purposes")
  @Operation(
      summary = "The purposes in the source, with their subjects' latest receipts",
      description =
          "Per purpose (trimmed, lower-cased; at most "
              + ConsentPurposes.LIMIT
              + "): subjects, and how many of them allow, block, or tie (two latest receipts with"
              + " the same timestamp: blocks).")
  List<ConsentPurposes.Count> purposes() {
    return consent.purposes();
  }
}
