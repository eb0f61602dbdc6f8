package io.customerstudio.app.schema.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.radiobutton.RadioButtonGroup;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.schema.SchemaService;
import io.customerstudio.query.ValidationException;
import java.util.List;

/**
 * A model: a warehouse table picked from a searchable list, or a read-only SQL query; its kind,
 * primary key and label, and for events the timestamp and event-type columns, each picked from the
 * columns the warehouse reports.
 */
final class ModelDialog extends ItemDialog {

  private final SchemaService schema;
  private final TextField name = new TextField("Name");
  private final Select<String> kind = new Select<>();
  private final RadioButtonGroup<String> sourceKind = new RadioButtonGroup<>("Source");
  private final ComboBox<String> table = new ComboBox<>("Table");
  private final TextArea sql = new TextArea("SQL (read-only query)");
  private final Button readColumns = new Button("Read its columns");
  private final ComboBox<String> primaryKey = new ComboBox<>("Primary key");
  private final ComboBox<String> label = new ComboBox<>("Label");
  private final ComboBox<String> timestamp = new ComboBox<>("Timestamp");
  private final ComboBox<String> eventType = new ComboBox<>("Event type");

  ModelDialog(
      SchemaService schema, SchemaDraft draft, int index, ObjectNode item, Runnable onSaved) {
    super(
        index < 0 ? "Add a model" : "Model " + text(item, "name"),
        draft,
        "models",
        index,
        item,
        onSaved);
    this.schema = schema;
    setId("model-dialog");
    name.setId("model-name");
    name.setValue(text(item, "name") == null ? "" : text(item, "name"));
    kind.setLabel("Kind");
    kind.setId("model-kind");
    kind.setItems("parent", "related", "event");
    kind.setItemLabelGenerator(
        k ->
            switch (k) {
              case "parent" -> "parent: the entities audiences select (users, accounts)";
              case "related" -> "related: rows linked to a parent (purchases)";
              default -> "event: rows with a timestamp (page views, orders)";
            });
    kind.setValue(text(item, "kind") == null ? "related" : text(item, "kind"));
    sourceKind.setItems("table", "sql");
    sourceKind.setItemLabelGenerator(s -> s.equals("table") ? "A warehouse table" : "A SQL query");
    boolean isSql = item.path("source").hasNonNull("sql");
    sourceKind.setValue(isSql ? "sql" : "table");
    table.setId("model-table");
    table.setPlaceholder("type to search schemas and tables");
    offer(table, schema.tables(), item.path("source").path("table").asText(null));
    sql.setId("model-sql");
    sql.setValue(item.path("source").path("sql").asText(""));
    sql.setWidthFull();
    for (ComboBox<String> c : List.of(primaryKey, label, timestamp, eventType)) {
      c.setAllowCustomValue(true);
      c.addCustomValueSetListener(e -> c.setValue(e.getDetail()));
    }
    primaryKey.setId("model-primary-key");
    label.setId("model-label");
    label.setClearButtonVisible(true);
    label.setHelperText("Shown for each member (an email, a name)");
    timestamp.setId("model-timestamp");
    eventType.setId("model-event-type");
    eventType.setClearButtonVisible(true);
    // the pickers offer the table's columns; a SQL model offers the names it already has until
    // "Read its columns" asks the warehouse
    List<String> known = new java.util.ArrayList<>();
    for (String f : List.of("primaryKey", "label", "timestamp", "eventType")) {
      if (text(item, f) != null && !known.contains(text(item, f))) {
        known.add(text(item, f));
      }
    }
    setColumns(known);
    if (!isSql && table.getValue() != null) {
      columnsOfTable();
    }
    primaryKey.setValue(text(item, "primaryKey"));
    label.setValue(text(item, "label"));
    timestamp.setValue(text(item, "timestamp"));
    eventType.setValue(text(item, "eventType"));
    table.addValueChangeListener(e -> columnsOfTable());
    readColumns.addClickListener(e -> columnsOfSql());
    sourceKind.addValueChangeListener(e -> showSource());
    kind.addValueChangeListener(e -> showSource());
    FormLayout form =
        new FormLayout(
            name,
            kind,
            sourceKind,
            table,
            sql,
            readColumns,
            primaryKey,
            label,
            timestamp,
            eventType);
    form.setColspan(sql, 2);
    form.setColspan(sourceKind, 2);
    add(form);
    fields.put("name", name);
    fields.put("kind", kind);
    fields.put("source.table", table);
    fields.put("source.sql", sql);
    fields.put("source", table);
    fields.put("primaryKey", primaryKey);
    fields.put("label", label);
    fields.put("timestamp", timestamp);
    fields.put("eventType", eventType);
    showSource();
  }

  private void showSource() {
    boolean isSql = "sql".equals(sourceKind.getValue());
    table.setVisible(!isSql);
    sql.setVisible(isSql);
    readColumns.setVisible(isSql);
    boolean event = "event".equals(kind.getValue());
    timestamp.setVisible(event);
    eventType.setVisible(event);
  }

  private void columnsOfTable() {
    if (table.getValue() == null) {
      return;
    }
    try {
      setColumns(
          schema.tableColumns(table.getValue()).stream()
              .map(SchemaService.ColumnView::name)
              .toList());
    } catch (ApiException e) {
      table.setErrorMessage(e.getMessage());
      table.setInvalid(true);
    }
  }

  private void columnsOfSql() {
    if (!write()) {
      return;
    }
    try {
      setColumns(
          schema
              .candidateColumns(draft.with("models", index, item), item.get("name").asText())
              .stream()
              .map(SchemaService.ColumnView::name)
              .toList());
      sql.setInvalid(false);
    } catch (ValidationException e) {
      sql.setErrorMessage(String.join("; ", e.problems().stream().map(p -> p.message()).toList()));
      sql.setInvalid(true);
    } catch (ApiException e) {
      sql.setErrorMessage(e.getMessage());
      sql.setInvalid(true);
    }
  }

  private void setColumns(List<String> columns) {
    for (ComboBox<String> c : List.of(primaryKey, label, timestamp, eventType)) {
      String v = c.getValue();
      List<String> items = new java.util.ArrayList<>(columns);
      if (v != null && !items.contains(v)) {
        items.add(0, v);
      }
      c.setItems(items);
      if (v != null) {
        c.setValue(v);
      }
    }
  }

  @Override
  protected boolean write() {
    if (name.getValue().isBlank()) {
      name.setErrorMessage("Give the model a name, such as users.");
      name.setInvalid(true);
      return false;
    }
    put(item, "name", name.getValue());
    put(item, "kind", kind.getValue());
    ObjectNode source = item.putObject("source");
    if ("sql".equals(sourceKind.getValue())) {
      put(source, "sql", sql.getValue());
    } else {
      put(source, "table", table.getValue());
    }
    put(item, "primaryKey", primaryKey.getValue());
    put(item, "label", label.getValue());
    boolean event = "event".equals(kind.getValue());
    put(item, "timestamp", event ? timestamp.getValue() : null);
    put(item, "eventType", event ? eventType.getValue() : null);
    return true;
  }
}
