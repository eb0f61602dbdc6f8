package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.select.Select;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import io.customerstudio.query.schema.SchemaDocument;
import java.util.function.Consumer;

/**
 * An AND/OR group: the toggle, its conditions (each in a {@link RowFrame}) and the buttons that add
 * a condition of each type or a subgroup.
 */
public final class GroupEditor extends Div {

  /** The condition types a person can add, with their button captions. */
  static final String[][] ADDABLE = {
    {"property", "Property"},
    {"trait", "Trait"},
    {"relation", "Relation"},
    {"event", "Event"},
    {"audience", "Audience"},
    {"template", "Template"},
    {"and", "Group"}
  };

  private final ObjectNode group;
  private final ModelInfo model;
  private final BuilderContext ctx;
  private final Div rows = new Div();
  private final Span empty = new Span();

  GroupEditor(ObjectNode group, ModelInfo model, BuilderContext ctx, Slot slot) {
    this.group = group;
    this.model = model;
    this.ctx = ctx;
    addClassName("condition-group");
    ctx.register(group, null);

    Select<String> combinator = new Select<>();
    combinator.setAriaLabel("Combine conditions with");
    combinator.addClassName("combinator");
    combinator.setWidth("16em");
    combinator.setItems("and", "or");
    combinator.setItemLabelGenerator(
        t -> t.equals("and") ? "ALL of these hold (AND)" : "ANY of these holds (OR)");
    combinator.setValue(Nodes.type(group));
    combinator.addValueChangeListener(
        e -> {
          if (e.isFromClient() && e.getValue() != null) {
            group.put("type", e.getValue());
            ctx.changed();
          }
        });
    HorizontalLayout header = new HorizontalLayout(combinator);
    header.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    header.addClassName("group-header");
    if (ctx.templateSink() != null) {
      Button asTemplate =
          new Button(
              "Save as template",
              VaadinIcon.COPY_O.create(),
              e -> ctx.templateSink().accept(group.deepCopy()));
      asTemplate.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_SMALL);
      asTemplate.addClassName("group-as-template");
      header.add(asTemplate);
    }

    rows.addClassName("group-rows");
    empty.addClassName("group-empty");
    ArrayNode children = Nodes.children(group);
    for (JsonNode child : children) {
      rows.add(frame(child));
    }

    add(header, rows, empty, addBar(this::addCondition));
    updateEmpty();
  }

  private RowFrame frame(JsonNode child) {
    ArrayNode children = Nodes.children(group);
    RowFrame[] self = new RowFrame[1];
    self[0] =
        new RowFrame(
            child,
            model,
            ctx,
            Slot.element(children, child),
            () -> {
              rows.remove(self[0]);
              updateEmpty();
            });
    return self[0];
  }

  /** A row of buttons, one per condition type and one for a subgroup. */
  static HorizontalLayout addBar(Consumer<String> onAdd) {
    HorizontalLayout adders = new HorizontalLayout();
    adders.addClassName("group-add");
    adders.setSpacing(false);
    adders.setWrap(true);
    adders.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    adders.add(new Span("Add:"));
    for (String[] a : ADDABLE) {
      Button b = new Button(a[1], VaadinIcon.PLUS.create(), e -> onAdd.accept(a[0]));
      b.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_SMALL);
      b.addClassName("add-" + a[0]);
      b.setAriaLabel("Add a " + a[1].toLowerCase() + " condition");
      adders.add(b);
    }
    return adders;
  }

  /** A new condition of a type, with the defaults a person would pick first. */
  static ObjectNode newCondition(String type, ModelInfo model, BuilderContext ctx) {
    ObjectNode n = Nodes.condition(type);
    if (type.equals("event")) {
      ctx.catalog().models().stream()
          .filter(m -> m.def().kind() == SchemaDocument.Kind.EVENT)
          .filter(m -> ctx.catalog().hops(model).stream().anyMatch(h -> h.to() == m))
          .findFirst()
          .ifPresent(m -> n.put("event", m.name()));
    }
    if (type.equals("audience")) {
      n.put("op", "member");
    }
    return n;
  }

  /** Adds a new, empty condition of a type and shows its editor. */
  public RowFrame addCondition(String type) {
    ObjectNode n = newCondition(type, model, ctx);
    Nodes.children(group).add(n);
    RowFrame f = frame(n);
    rows.add(f);
    updateEmpty();
    ctx.changed();
    return f;
  }

  private void updateEmpty() {
    boolean none = Nodes.children(group).isEmpty();
    empty.setText(
        none
            ? (Nodes.type(group).equals("or")
                ? "An empty ANY group matches nobody: add a condition."
                : "An empty ALL group matches everyone: add a condition to narrow it down.")
            : "");
    empty.setVisible(none);
  }

  ModelInfo model() {
    return model;
  }
}
