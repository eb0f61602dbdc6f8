package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.html.Span;
import io.customerstudio.query.schema.Catalog.ModelInfo;

/** Picks the editor of a condition by its type; the one place that knows every type. */
final class Editors {

  private Editors() {}

  static Component of(JsonNode node, ModelInfo model, BuilderContext ctx, Slot slot) {
    if (!(node instanceof ObjectNode n)) {
      return unknown("a condition must be an object");
    }
    String type = Nodes.type(n);
    if (type == null) {
      return unknown("a condition needs a type");
    }
    return switch (type) {
      case "and", "or" -> new GroupEditor(n, model, ctx, slot);
      case "property" -> new PropertyRow(n, model, ctx);
      case "trait" -> new TraitRow(n, model, ctx);
      case "relation" -> new RelationRow(n, model, ctx);
      case "event" -> new EventRow(n, model, ctx);
      case "audience" -> new AudienceRow(n, model, ctx);
      case "template" -> new TemplateRow(n, model, ctx);
      case "not" -> new RowFrame(n, model, ctx, slot, false);
      default -> unknown("unknown condition type \"" + type + "\"");
    };
  }

  private static Component unknown(String why) {
    Span s = new Span("This condition cannot be shown: " + why + ". It matches nobody.");
    s.addClassName("condition-unknown");
    return s;
  }
}
