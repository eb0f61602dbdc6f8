package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import io.customerstudio.query.schema.Column;
import io.customerstudio.query.schema.ColumnType;
import java.util.List;
import java.util.Locale;

/** "country is one of DE, FR": a column of the current model, shown with its type. */
final class PropertyRow extends HorizontalLayout {

  PropertyRow(ObjectNode node, ModelInfo model, BuilderContext ctx) {
    addClassName("condition-property");
    setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    setPadding(false);
    setWrap(true);
    ComboBox<Column> column = new ComboBox<>();
    column.setAriaLabel("Column of " + model.name());
    column.setPlaceholder("column of " + model.name());
    column.addClassName("column");
    column.setWidth("16em");
    List<Column> columns =
        model.columns().stream().filter(c -> c.type() != ColumnType.JSON).toList();
    column.setItems(columns);
    column.setItemLabelGenerator(c -> c.name() + " · " + typeName(c.type()));
    Column current = model.column(Nodes.text(node, "column")).orElse(null);
    column.setValue(current);
    Comparison comparison =
        new Comparison(
            node,
            current == null ? null : current.type(),
            () -> {
              Column c = model.column(Nodes.text(node, "column")).orElse(null);
              return c != null && c.type() == ColumnType.STRING
                  ? ctx.suggestions(model.name(), c.name())
                  : List.of();
            },
            null,
            ctx);
    column.addValueChangeListener(
        e -> {
          if (e.isFromClient() && e.getValue() != null) {
            node.put("column", e.getValue().name());
            comparison.setType(e.getValue().type());
            ctx.changed();
          }
        });
    add(column, comparison);
  }

  static String typeName(ColumnType t) {
    return t == null ? "?" : t.name().toLowerCase(Locale.ROOT);
  }
}
