package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import io.customerstudio.query.schema.Catalog.ModelInfo;

/**
 * One condition inside a group: its NOT toggle, its editor and its remove button, plus the
 * validation message the engine reported for it. A NOT node is shown as its condition with NOT
 * ticked, so negation is a checkbox rather than a level of nesting.
 */
final class RowFrame extends Div {

  private final ModelInfo model;
  private final BuilderContext ctx;
  private final Slot slot;
  private final Span error = new Span();
  private final Runnable onRemove;

  /**
   * @param removable false for a NOT directly in a non-group slot (the filter itself, a where)
   */
  RowFrame(JsonNode node, ModelInfo model, BuilderContext ctx, Slot slot, boolean removable) {
    this(node, model, ctx, slot, removable ? () -> {} : null);
  }

  RowFrame(JsonNode node, ModelInfo model, BuilderContext ctx, Slot slot, Runnable onRemove) {
    this.model = model;
    this.ctx = ctx;
    this.slot = slot;
    this.onRemove = onRemove;
    addClassName("condition-row");
    error.addClassName("condition-error");
    error.setVisible(false);
    render(node);
  }

  private void render(JsonNode node) {
    removeAll();
    boolean negated = "not".equals(Nodes.type(node));
    JsonNode shown = negated ? node.get("condition") : node;
    Slot inner = negated ? Slot.field((ObjectNode) node, "condition") : slot;
    getElement().setAttribute("data-type", String.valueOf(Nodes.type(shown)));
    ctx.register(node, this);
    if (shown != node) {
      ctx.register(shown, this);
    }

    Checkbox not = new Checkbox("NOT", negated);
    not.addClassName("not-toggle");
    not.setTooltipText("Select those for whom this condition does not hold");
    not.addValueChangeListener(
        e -> {
          if (!e.isFromClient()) {
            return;
          }
          JsonNode current = slot.get();
          JsonNode next;
          if (e.getValue()) {
            ObjectNode wrapper = Nodes.condition("not");
            wrapper.set("condition", current);
            next = wrapper;
          } else {
            next = current.get("condition");
          }
          slot.set(next);
          render(next);
          ctx.changed();
        });

    Component editor =
        shown == null ? new Span("NOT needs a condition") : Editors.of(shown, model, ctx, inner);
    Div body = new Div(editor, error);
    body.addClassName("condition-body");
    add(not, body);
    if (onRemove != null) {
      Button remove =
          new Button(
              VaadinIcon.TRASH.create(),
              e -> {
                slot.remove();
                onRemove.run();
                ctx.changed();
              });
      remove.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_ERROR);
      remove.addClassName("remove-condition");
      remove.setAriaLabel("Remove this condition");
      remove.setTooltipText("Remove this condition");
      add(remove);
    }
  }

  void showError(String message) {
    error.setText(message);
    error.setVisible(message != null);
  }
}
