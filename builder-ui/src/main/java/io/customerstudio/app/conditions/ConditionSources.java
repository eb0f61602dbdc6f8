package io.customerstudio.app.conditions;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.api.Json;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.TemplateStore;
import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.engine.AudienceEngine;
import io.customerstudio.query.schema.Catalog;
import java.util.List;
import java.util.Objects;
import org.springframework.stereotype.Service;

/**
 * What a condition editor offers to choose from: the catalog's models, columns, relationships and
 * traits, the saved audiences and templates, and the distinct values of a column. Read-only; the
 * editors never write through it.
 */
@Service
public class ConditionSources {

  /** A saved audience, as the audience picker lists it. */
  public record AudienceChoice(String key, String name, String parent) {}

  /** A saved template with its parameters and condition (placeholders included). */
  public record TemplateChoice(String key, String name, List<String> params, JsonNode condition) {}

  private final io.customerstudio.app.security.CurrentRestriction restriction;
  private final Workspace workspace;
  private final AudienceStore audiences;
  private final TemplateStore templates;

  public ConditionSources(
      Workspace workspace,
      AudienceStore audiences,
      TemplateStore templates,
      io.customerstudio.app.security.CurrentRestriction restriction) {
    this.restriction = restriction;
    this.workspace = workspace;
    this.audiences = audiences;
    this.templates = templates;
  }

  public Catalog catalog() {
    return workspace.catalog();
  }

  public List<AudienceChoice> audiences() {
    return audiences.list(null).stream()
        .map(a -> new AudienceChoice(a.key(), a.name(), a.parentModel()))
        .toList();
  }

  public List<TemplateChoice> templates() {
    return templates.list().stream()
        .map(
            t ->
                new TemplateChoice(
                    t.key(), t.name(), params(t.params()), Json.parse(t.condition())))
        .toList();
  }

  private static List<String> params(String json) {
    JsonNode n = json == null ? null : Json.parse(json);
    if (n == null || !n.isArray()) {
      return List.of();
    }
    List<String> out = new java.util.ArrayList<>();
    n.forEach(p -> out.add(p.asText()));
    return out;
  }

  /** Up to 50 most frequent values of a column, most frequent first, as text. */
  public List<String> suggestions(String model, String column) {
    return restriction.apply(workspace.engine()).values(model, column, null, 50).stream()
        .map(AudienceEngine.ValueCount::value)
        .filter(Objects::nonNull)
        .map(String::valueOf)
        .toList();
  }
}
