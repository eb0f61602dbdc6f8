package io.customerstudio.app.destinations.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.destinations.DestinationRules;
import io.customerstudio.app.destinations.DestinationService;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/destinations")
@Tag(
    name = "Destinations",
    description =
        "Where syncs deliver. Secrets are write-only: signingSecret, password, every webhook"
            + " header value and credentials inside a JDBC URL (user:password@, password=...)."
            + " A destination lists which are set in secretsSet (signingSecret,"
            + " headers.Authorization, password), never their values; its url is shown without"
            + " credentials. Who may receive: rule (an audience condition over the parent of every"
            + " sync that delivers here; rows that do not satisfy it are not delivered) and"
            + " consentPurposes (every purpose must allow, see /api/v1/consent), top-level beside"
            + " config.")
class DestinationsController {

  record CreateBody(
      String key,
      String name,
      String type,
      JsonNode config,
      JsonNode rule,
      List<String> consentPurposes,
      java.util.Map<String, List<String>> subsets) {}

  record UpdateBody(
      String name,
      String type,
      JsonNode config,
      JsonNode rule,
      List<String> consentPurposes,
      java.util.Map<String, List<String>> subsets) {}

  private final DestinationService destinations;
  private final DestinationRules rules;

  DestinationsController(DestinationService destinations, DestinationRules rules) {
    this.destinations = destinations;
    this.rules = rules;
  }

  @GetMapping
  List<DestinationService.DestinationView> list() {
    return destinations.list();
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Create a destination (admin)")
  DestinationService.DestinationView create(@RequestBody CreateBody body, Principal me) {
    return destinations.create(
        body.key(),
        body.name(),
        body.type(),
        body.config(),
        new DestinationService.WhoMayReceive(body.rule(), body.consentPurposes()),
        body.subsets(),
        me.getName());
  }

  @GetMapping("/{key}")
  DestinationService.DestinationView get(@PathVariable String key) {
    return destinations.get(key);
  }

  @PutMapping("/{key}")
  @Operation(
      summary = "Replace a destination's settings (admin)",
      description =
          "A secret left out keeps its stored value: a header not named in config.headers keeps"
              + " its value, a header given as null is removed. rule and consentPurposes are"
              + " replaced too: leaving them out removes them.")
  DestinationService.DestinationView update(
      @PathVariable String key, @RequestBody UpdateBody body, Principal me) {
    return destinations.update(
        key,
        body.name(),
        body.type(),
        body.config(),
        new DestinationService.WhoMayReceive(body.rule(), body.consentPurposes()),
        body.subsets(),
        me.getName());
  }

  @DeleteMapping("/{key}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(@PathVariable String key, Principal me) {
    destinations.delete(key, me.getName());
  }

  @GetMapping("/{key}/rule-impact")
  @Operation(
      summary = "How many of an audience's members the destination's rule keeps out",
      description =
          "members: the audience's members now; excluded: those who do not satisfy the rule"
              + " (0 when the destination has no rule).")
  DestinationRules.Impact ruleImpact(
      @PathVariable String key, @RequestParam(required = false) String audience) {
    return rules.impact(key, audience);
  }

  @PostMapping("/{key}/test")
  @Operation(summary = "Test the connection: one request, nothing delivered")
  DestinationService.TestResult test(@PathVariable String key) {
    return destinations.test(key);
  }
}
