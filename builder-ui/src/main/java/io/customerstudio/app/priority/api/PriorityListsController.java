package io.customerstudio.app.priority.api;

import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.priority.PriorityListService;
import io.customerstudio.query.ValidationException;
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
@RequestMapping("/api/v1/priority-lists")
@Tag(
    name = "Priority lists",
    description =
        "Audiences of one parent in rank order, highest first; an audience is in at most one"
            + " list. In every sync or journey send of a listed audience, a member who also"
            + " belongs to a higher-ranked audience of the list is excluded (reason priority).")
class PriorityListsController {

  /** The request body; on update the key comes from the path (and may be left out). */
  record PriorityListBody(String key, String name, List<String> audiences) {}

  private final PriorityListService lists;

  PriorityListsController(PriorityListService lists) {
    this.lists = lists;
  }

  @GetMapping
  @Operation(summary = "Every priority list, by name")
  List<PriorityListService.PriorityListView> list() {
    return lists.list();
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(
      summary = "Create a priority list",
      description =
          "Body: {key, name, audiences: [keys, highest priority first]}. The audiences must"
              + " exist, be listed once and share one parent (the answer's parent). 409 when the"
              + " key is taken or an audience is already in another list, which the message"
              + " names.")
  PriorityListService.PriorityListView create(@RequestBody PriorityListBody body, Principal me) {
    try {
      return lists.create(command(body), me.getName());
    } catch (ValidationException e) {
      throw invalid(e);
    }
  }

  @GetMapping("/{key}")
  PriorityListService.PriorityListView get(@PathVariable String key) {
    return lists.get(key);
  }

  @PutMapping("/{key}")
  @Operation(
      summary = "Rename a list and replace its audiences, in the new order",
      description = "Body: {name, audiences}; checked as on create.")
  PriorityListService.PriorityListView update(
      @PathVariable String key, @RequestBody PriorityListBody body, Principal me) {
    try {
      return lists.update(key, command(body), me.getName());
    } catch (ValidationException e) {
      throw invalid(e);
    }
  }

  @DeleteMapping("/{key}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete a list; its audiences are no longer ranked from the next run on")
  void delete(@PathVariable String key, Principal me) {
    lists.delete(key, me.getName());
  }

  @GetMapping("/{key}/preview")
  @Operation(
      summary = "What the list does to its audiences now",
      description =
          "{list, audiences: [{audience, members, kept, lostTo: [{audience, members}]}]} in rank"
              + " order. A member of several listed audiences is kept by the highest-ranked one"
              + " and counted in each lower one's lostTo under that winner, so kept +"
              + " sum(lostTo.members) = members. Computed in the warehouse in one query.")
  PriorityListService.Preview preview(@PathVariable String key) {
    try {
      return lists.preview(key);
    } catch (ValidationException e) {
      throw invalid(e);
    }
  }

  private static PriorityListService.Command command(PriorityListBody body) {
    return new PriorityListService.Command(body.key(), body.name(), body.audiences());
  }

  private static ApiException invalid(ValidationException e) {
    return ApiException.invalid(ApiException.errorsOf(e));
  }
}
