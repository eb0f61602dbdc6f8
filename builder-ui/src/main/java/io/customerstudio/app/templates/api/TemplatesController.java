package io.customerstudio.app.templates.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.templates.TemplateService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/templates")
@Tag(name = "Templates", description = "Reusable conditions with {\"param\": name} placeholders")
class TemplatesController {

  record TemplateBody(String name, String description, List<String> params, JsonNode condition) {}

  private final TemplateService templates;

  TemplatesController(TemplateService templates) {
    this.templates = templates;
  }

  @GetMapping
  List<TemplateService.TemplateView> list() {
    return templates.list();
  }

  @GetMapping("/{key}")
  TemplateService.TemplateView get(@PathVariable String key) {
    return templates.get(key);
  }

  @PutMapping("/{key}")
  @Operation(summary = "Create or save a new version of a template")
  TemplateService.TemplateView put(
      @PathVariable String key, @RequestBody TemplateBody body, Principal me) {
    return templates.save(
        key, body.name(), body.description(), body.params(), body.condition(), me.getName());
  }

  @DeleteMapping("/{key}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete a template", description = "409 while an audience uses it")
  void delete(@PathVariable String key, Principal me) {
    templates.delete(key, me.getName());
  }
}
