package io.customerstudio.app.splits.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.splits.SplitService;
import io.customerstudio.query.engine.SplitSizes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** An audience's split into groups and holdouts (governance spec, section 1). */
@RestController
@RequestMapping("/api/v1/audiences/{key}/split")
@Tag(
    name = "Splits",
    description =
        "An audience's split into groups, some of them holdouts that no sync ever delivers. "
            + SplitService.RULE)
class SplitsController {

  private final SplitService splits;

  SplitsController(SplitService splits) {
    this.splits = splits;
  }

  @GetMapping
  @Operation(summary = "The audience's split", description = "404 when it has none")
  SplitService.SplitView get(@PathVariable String key) {
    return splits.get(key);
  }

  @PutMapping
  @Operation(
      summary = "Create or replace the audience's split",
      description =
          "Body: {\"salt\": text, \"groups\": [{\"name\", \"percent\" (two decimals; all sum to"
              + " 100), \"holdout\"?}], \"stratifyBy\"?: a column or trait of the audience's"
              + " parent}. Errors name their JSON path ($.groups[1].percent). 409 when a sync"
              + " delivers a group the new split lacks or holds out. "
              + SplitService.RULE)
  SplitService.SplitView put(@PathVariable String key, @RequestBody JsonNode body, Principal me) {
    return splits.put(key, body, me.getName());
  }

  @DeleteMapping
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(
      summary = "Delete the audience's split",
      description = "409 while a sync names groups of it (its splitGroups)")
  void delete(@PathVariable String key, Principal me) {
    splits.delete(key, me.getName());
  }

  @GetMapping("/sizes")
  @Operation(
      summary = "How many current members each group holds",
      description =
          "Counted live in the warehouse with the same assignment a run makes: {members, groups:"
              + " [{name, percent, holdout, members}], stratifyBy, strata: [{value, members,"
              + " groups: {name: members}}] (the first "
              + SplitSizes.MAX_STRATA
              + " by value, nulls first), strataCount}")
  SplitSizes.Sizes sizes(@PathVariable String key) {
    return splits.sizes(key);
  }
}
