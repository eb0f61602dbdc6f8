package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Paragraph;
import io.customerstudio.query.schema.Catalog.ModelInfo;

/**
 * The visual editor of one condition slot: an audience's {@code filter} or a template's {@code
 * condition}. It edits the JSON it was given in place, so what loads unchanged saves unchanged. An
 * absent filter (everyone) shows an empty state; a single condition is shown as one row and becomes
 * an ALL group when a second is added.
 */
public final class ConditionBuilder extends Div {

  private final ObjectNode holder;
  private final String field;
  private final BuilderContext ctx;
  private ModelInfo model;

  /**
   * @param holder the object whose {@code field} holds the condition (edited in place)
   */
  public ConditionBuilder(ObjectNode holder, String field, ModelInfo model, BuilderContext ctx) {
    this.holder = holder;
    this.field = field;
    this.model = model;
    this.ctx = ctx;
    addClassName("condition-builder");
    render();
  }

  /** Another model: conditions over the old one's columns no longer apply, so they go. */
  public void setModel(ModelInfo model) {
    if (this.model != model) {
      holder.remove(field);
      this.model = model;
      render();
    }
  }

  public JsonNode condition() {
    return holder.get(field);
  }

  /** The root group's editor, when the condition is a group (for tests and keyboard shortcuts). */
  public GroupEditor rootGroup() {
    return getChildren()
        .filter(GroupEditor.class::isInstance)
        .map(GroupEditor.class::cast)
        .findFirst()
        .orElse(null);
  }

  /** Adds a condition of a type at the top level, making a group first when needed. */
  public void addCondition(String type) {
    JsonNode current = holder.get(field);
    ObjectNode added = GroupEditor.newCondition(type, model, ctx);
    if (current == null) {
      ObjectNode group = Nodes.condition("and");
      if (!type.equals("and")) {
        group.withArray("conditions").add(added);
      }
      holder.set(field, group);
    } else if (current instanceof ObjectNode o
        && ("and".equals(Nodes.type(o)) || "or".equals(Nodes.type(o)))) {
      rootGroup().addCondition(type);
      return;
    } else {
      ObjectNode group = Nodes.condition("and");
      group.withArray("conditions").add(current).add(added);
      holder.set(field, group);
    }
    render();
    ctx.changed();
  }

  private void render() {
    removeAll();
    JsonNode current = holder.get(field);
    Slot slot = Slot.field(holder, field);
    if (current == null) {
      Paragraph empty =
          new Paragraph(
              "No conditions yet: everyone in "
                  + model.name()
                  + " is a member. Add a condition to narrow it down.");
      empty.addClassName("builder-empty");
      add(empty, GroupEditor.addBar(this::addCondition));
    } else if ("and".equals(Nodes.type(current)) || "or".equals(Nodes.type(current))) {
      add(Editors.of(current, model, ctx, slot));
    } else {
      add(
          new RowFrame(
              current,
              model,
              ctx,
              slot,
              () -> {
                render();
              }),
          GroupEditor.addBar(this::addCondition));
    }
  }
}
