package io.customerstudio.app.schema.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.schema.SchemaService;
import java.util.ArrayList;
import java.util.List;

/**
 * A relationship: from and to models, cardinality, and the join columns as pairs (several pairs
 * make a composite key), each side picked from its model's columns.
 */
final class RelationshipDialog extends ItemDialog {

  private final SchemaService schema;
  private final TextField name = new TextField("Name");
  private final Select<String> from = new Select<>();
  private final Select<String> to = new Select<>();
  private final Select<String> cardinality = new Select<>();
  private final Div pairs = new Div();
  private final List<ComboBox<String>[]> rows = new ArrayList<>();

  RelationshipDialog(
      SchemaService schema, SchemaDraft draft, int index, ObjectNode item, Runnable onSaved) {
    super(
        index < 0 ? "Add a relationship" : "Relationship " + text(item, "name"),
        draft,
        "relationships",
        index,
        item,
        onSaved);
    this.schema = schema;
    setId("relationship-dialog");
    List<String> models = new ArrayList<>();
    draft.items("models").forEach(m -> models.add(m.path("name").asText()));
    name.setId("relationship-name");
    name.setValue(text(item, "name") == null ? "" : text(item, "name"));
    from.setLabel("From");
    from.setId("relationship-from");
    from.setItems(models);
    from.setValue(text(item, "from"));
    to.setLabel("To");
    to.setId("relationship-to");
    to.setItems(models);
    to.setValue(text(item, "to"));
    cardinality.setLabel("Cardinality");
    cardinality.setId("relationship-cardinality");
    cardinality.setItems("one_to_one", "one_to_many", "many_to_one");
    cardinality.setItemLabelGenerator(c -> c.replace('_', ' '));
    cardinality.setValue(
        text(item, "cardinality") == null ? "one_to_many" : text(item, "cardinality"));
    from.addValueChangeListener(e -> refreshColumns());
    to.addValueChangeListener(e -> refreshColumns());
    Button addPair =
        new Button("Add a key column pair", VaadinIcon.PLUS.create(), e -> addPair(null, null));
    addPair.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    addPair.setId("relationship-add-pair");
    FormLayout form = new FormLayout(name, cardinality, from, to);
    add(form, new Span("Joined on (from column = to column):"), pairs, addPair);
    fields.put("name", name);
    fields.put("from", from);
    fields.put("to", to);
    fields.put("cardinality", cardinality);
    JsonNode on = item.get("on");
    if (on instanceof ArrayNode a && !a.isEmpty()) {
      a.forEach(p -> addPair(p.path(0).asText(null), p.path(1).asText(null)));
    } else {
      addPair(null, null);
    }
  }

  @SuppressWarnings("unchecked")
  private void addPair(String left, String right) {
    ComboBox<String> l = new ComboBox<>();
    ComboBox<String> r = new ComboBox<>();
    l.setAriaLabel("From column");
    r.setAriaLabel("To column");
    l.addClassName("pair-from");
    r.addClassName("pair-to");
    ComboBox<String>[] row = new ComboBox[] {l, r};
    rows.add(row);
    HorizontalLayout line = new HorizontalLayout(l, new Span("="), r);
    line.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    Button remove =
        new Button(
            VaadinIcon.TRASH.create(),
            e -> {
              rows.remove(row);
              pairs.remove(line);
            });
    remove.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    remove.setAriaLabel("Remove this pair");
    line.add(remove);
    pairs.add(line);
    fields.put("on[" + (rows.size() - 1) + "][0]", l);
    fields.put("on[" + (rows.size() - 1) + "][1]", r);
    fields.put("on[" + (rows.size() - 1) + "]", l);
    offer(l, columns(from.getValue()), left);
    offer(r, columns(to.getValue()), right);
  }

  private void refreshColumns() {
    rows.forEach(this::fillColumns);
  }

  private void fillColumns(ComboBox<String>[] row) {
    offer(row[0], columns(from.getValue()), row[0].getValue());
    offer(row[1], columns(to.getValue()), row[1].getValue());
  }

  private List<String> columns(String model) {
    if (model == null) {
      return List.of();
    }
    try {
      return schema.columns(model).stream().map(SchemaService.ColumnView::name).toList();
    } catch (RuntimeException notYetSaved) {
      return List.of();
    }
  }

  @Override
  protected boolean write() {
    if (name.getValue().isBlank()) {
      name.setErrorMessage("Give the relationship a name; conditions refer to it.");
      name.setInvalid(true);
      return false;
    }
    put(item, "name", name.getValue());
    put(item, "from", from.getValue());
    put(item, "to", to.getValue());
    put(item, "cardinality", cardinality.getValue());
    ArrayNode on = item.putArray("on");
    for (ComboBox<String>[] row : rows) {
      on.addArray().add(row[0].getValue()).add(row[1].getValue());
    }
    return true;
  }
}
