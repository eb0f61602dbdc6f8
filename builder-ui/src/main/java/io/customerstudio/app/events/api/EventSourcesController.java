package io.customerstudio.app.events.api;

import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.events.EventSourceService;
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
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/event-sources")
@Tag(
    name = "Event sources",
    description =
        "Who may post events through POST /api/v1/webhooks/events/{key}, signed with the"
            + " source's secret. The secret is shown once, on create and rotate; it is stored"
            + " encrypted and never shown again. Admins only.")
class EventSourcesController {

  record SourceBody(String key, String name) {}

  private final EventSourceService sources;

  EventSourcesController(EventSourceService sources) {
    this.sources = sources;
  }

  @GetMapping
  @Operation(summary = "Every event source, by key (never the secret)")
  List<EventSourceService.SourceView> list() {
    return sources.list();
  }

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(
      summary = "Create an event source",
      description =
          "Body: {key, name}; key: 1 to 64 of a-z, 0-9, '-', '_'. The answer {key, name, secret,"
              + " createdAt} carries the signing secret this once. 409 when the key is taken.")
  EventSourceService.SourceSecret create(@RequestBody SourceBody body, Principal me) {
    try {
      return sources.create(
          new EventSourceService.SourceCommand(body.key(), body.name()), me.getName());
    } catch (ValidationException e) {
      throw ApiException.invalid(ApiException.errorsOf(e));
    }
  }

  @GetMapping("/{key}")
  EventSourceService.SourceView get(@PathVariable String key) {
    return sources.get(key);
  }

  @PostMapping("/{key}/rotate")
  @Operation(
      summary = "Rotate the secret",
      description = "A new secret, shown this once; requests signed with the old one get 401.")
  EventSourceService.SourceSecret rotate(@PathVariable String key, Principal me) {
    return sources.rotate(key, me.getName());
  }

  @DeleteMapping("/{key}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete an event source; the events it sent stay in the stream")
  void delete(@PathVariable String key, Principal me) {
    sources.delete(key, me.getName());
  }
}
