package io.customerstudio.app.subsets.api;

import io.customerstudio.app.subsets.SubsetService;
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
@RequestMapping("/api/v1/subset-categories")
@Tag(
    name = "Subsets",
    description =
        "Row-level access: a category names conditions (subsets) over one parent model. A user,"
            + " sync or destination may require subsets ({\"region\": [\"eu\"]}): ORed within a"
            + " category, ANDed across categories. A restricted user sees and counts only those"
            + " rows, everywhere. Changes are admin only.")
class SubsetCategoriesController {

  record UpdateBody(String name, String parent, List<SubsetService.SubsetView> subsets) {}

  private final SubsetService subsets;

  SubsetCategoriesController(SubsetService subsets) {
    this.subsets = subsets;
  }

  @GetMapping
  @Operation(summary = "List subset categories")
  List<SubsetService.CategoryView> list() {
    return subsets.list();
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(
      summary = "Create a subset category (admin)",
      description =
          "{\"key\", \"name\", \"parent\", \"subsets\": [{\"key\", \"name\", \"condition\"}]}:"
              + " the parent is a parent model; subset keys are unique; each condition is an"
              + " audience condition over the parent.")
  SubsetService.CategoryView create(@RequestBody SubsetService.CategoryCommand body, Principal me) {
    return subsets.create(body, me.getName());
  }

  @GetMapping("/{key}")
  @Operation(summary = "Get one subset category")
  SubsetService.CategoryView get(@PathVariable String key) {
    return subsets.get(key);
  }

  @PutMapping("/{key}")
  @Operation(
      summary = "Replace a subset category (admin)",
      description =
          "409 when a removed subset, or a changed parent, is required by a user, sync or"
              + " destination; the answer names them.")
  SubsetService.CategoryView update(
      @PathVariable String key, @RequestBody UpdateBody body, Principal me) {
    return subsets.update(
        key,
        new SubsetService.CategoryCommand(key, body.name(), body.parent(), body.subsets()),
        me.getName());
  }

  @DeleteMapping("/{key}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(
      summary = "Delete a subset category (admin)",
      description = "409 while a user, sync or destination requires it; the answer names them.")
  void delete(@PathVariable String key, Principal me) {
    subsets.delete(key, me.getName());
  }
}
