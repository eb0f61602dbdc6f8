package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.html.Div;
import io.customerstudio.query.schema.Catalog.ModelInfo;

/**
 * The optional {@code where} of a relation or event: ticking it adds an ALL group over the related
 * model's columns; unticking removes it. A where that is a single condition is shown as such.
 */
final class WhereSection extends Div {

  private final ObjectNode node;
  private final BuilderContext ctx;
  private final Div body = new Div();
  private ModelInfo model;

  WhereSection(ObjectNode node, ModelInfo model, String caption, BuilderContext ctx) {
    this.node = node;
    this.ctx = ctx;
    this.model = model;
    addClassName("where-section");
    Checkbox on = new Checkbox(caption, node.has("where"));
    on.addClassName("where-toggle");
    on.addValueChangeListener(
        e -> {
          if (!e.isFromClient()) {
            return;
          }
          if (e.getValue()) {
            node.set("where", Nodes.condition("and"));
          } else {
            node.remove("where");
          }
          render();
          ctx.changed();
        });
    body.addClassName("where-body");
    add(on, body);
    render();
  }

  /** The related model changed: a where over the old one's columns no longer applies. */
  void setModel(ModelInfo model) {
    if (this.model != model && node.has("where")) {
      node.set("where", Nodes.condition("and"));
    }
    this.model = model;
    render();
  }

  private void render() {
    body.removeAll();
    JsonNode where = node.get("where");
    if (where == null || model == null) {
      return;
    }
    Slot slot = Slot.field(node, "where");
    body.add(
        "and".equals(Nodes.type(where)) || "or".equals(Nodes.type(where))
            ? Editors.of(where, model, ctx, slot)
            : new RowFrame(where, model, ctx, slot, false));
  }
}
