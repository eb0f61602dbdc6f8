package io.customerstudio.app.schema.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.tabs.TabSheet;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.app.conditions.ConditionSources;
import io.customerstudio.app.schema.SchemaService;
import io.customerstudio.app.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a data team describes the warehouse once: models (with their columns and a page of sample
 * rows), relationships and traits. Each save validates the whole schema against the warehouse and
 * becomes a new version; problems appear next to the field they concern.
 */
@Route("schema")
@Menu(title = "Schema", order = 800, icon = "vaadin:database")
@PageTitle("Schema · Customer Studio")
@RolesAllowed(Roles.ADMIN)
public class SchemaView extends VerticalLayout {

  /** One item of a section with its place, as the grids list them. */
  record Item(int index, JsonNode node) {
    String text(String field) {
      return node.hasNonNull(field) ? node.get(field).asText() : "";
    }
  }

  private final SchemaService schema;
  private final ConditionSources sources;
  private final SchemaDraft draft;
  private final Grid<Item> models = new Grid<>();
  private final Grid<Item> relationships = new Grid<>();
  private final Grid<Item> traits = new Grid<>();
  private final Grid<SchemaService.ColumnView> columns = new Grid<>();
  private final Grid<Map<String, Object>> sample = new Grid<>();
  private final H4 modelTitle = new H4();
  private final Paragraph version = new Paragraph();

  public SchemaView(SchemaService schema, ConditionSources sources, AuthenticationContext auth) {
    this.schema = schema;
    this.sources = sources;
    this.draft = new SchemaDraft(schema, auth.getPrincipalName().orElse("unknown"));
    version.setId("schema-version");
    version.addClassName("hint");

    models.setId("schema-models");
    models.addColumn(i -> i.text("name")).setHeader("Model").setAutoWidth(true);
    models.addColumn(i -> i.text("kind")).setHeader("Kind");
    models
        .addColumn(
            i ->
                i.node().path("source").hasNonNull("sql")
                    ? "SQL: " + i.node().path("source").path("sql").asText()
                    : i.node().path("source").path("table").asText())
        .setHeader("Source")
        .setFlexGrow(2);
    models.addColumn(i -> i.text("primaryKey")).setHeader("Primary key");
    models.addColumn(i -> i.text("label")).setHeader("Label");
    models.addComponentColumn(i -> edit(() -> openModel(i.index(), i.node()))).setKey("edit");
    models.setAllRowsVisible(true);
    models.asSingleSelect().addValueChangeListener(e -> showModel(e.getValue()));
    columns.setId("schema-columns");
    columns.addThemeVariants(GridVariant.LUMO_COMPACT);
    columns.addColumn(SchemaService.ColumnView::name).setHeader("Column");
    columns.addColumn(SchemaService.ColumnView::type).setHeader("Type");
    columns.addColumn(SchemaService.ColumnView::nativeType).setHeader("Warehouse type");
    columns.addColumn(c -> c.nullable() ? "yes" : "no").setHeader("Nullable");
    columns.setAllRowsVisible(true);
    sample.setId("schema-sample");
    sample.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
    sample.setHeight("320px");
    Paragraph pick = new Paragraph("Select a model to see its columns and sample rows.");
    pick.addClassName("hint");
    VerticalLayout modelsTab =
        new VerticalLayout(
            add("Add model", "add-model", () -> openModel(-1, null)),
            models,
            pick,
            modelTitle,
            columns,
            sample);
    modelsTab.setPadding(false);

    relationships.setId("schema-relationships");
    relationships.addColumn(i -> i.text("name")).setHeader("Relationship");
    relationships.addColumn(i -> i.text("from") + " → " + i.text("to")).setHeader("From → to");
    relationships.addColumn(i -> i.text("cardinality").replace('_', ' ')).setHeader("Cardinality");
    relationships.addColumn(i -> on(i.node())).setHeader("On").setFlexGrow(2);
    relationships
        .addComponentColumn(i -> edit(() -> openRelationship(i.index(), i.node())))
        .setKey("edit");
    relationships.setAllRowsVisible(true);
    VerticalLayout relationshipsTab =
        new VerticalLayout(
            add("Add relationship", "add-relationship", () -> openRelationship(-1, null)),
            relationships);
    relationshipsTab.setPadding(false);

    traits.setId("schema-traits");
    traits.addColumn(i -> i.text("name")).setHeader("Trait");
    traits.addColumn(i -> i.text("model")).setHeader("Model");
    traits.addColumn(i -> i.text("kind")).setHeader("Kind");
    traits.addColumn(SchemaView::describeTrait).setHeader("Definition").setFlexGrow(3);
    traits.addComponentColumn(i -> edit(() -> openTrait(i.index(), i.node()))).setKey("edit");
    traits.setAllRowsVisible(true);
    VerticalLayout traitsTab =
        new VerticalLayout(add("Add trait", "add-trait-def", () -> openTrait(-1, null)), traits);
    traitsTab.setPadding(false);

    TabSheet tabs = new TabSheet();
    tabs.setId("schema-tabs");
    tabs.setWidthFull();
    tabs.add("Models", modelsTab);
    tabs.add("Relationships", relationshipsTab);
    tabs.add("Traits", traitsTab);
    add(new H2("Schema"), version, tabs);
    refresh();
  }

  private Button add(String caption, String id, Runnable open) {
    Button b = new Button(caption, VaadinIcon.PLUS.create(), e -> open.run());
    b.setId(id);
    b.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    return b;
  }

  private Button edit(Runnable open) {
    Button b = new Button("Edit", VaadinIcon.EDIT.create(), e -> open.run());
    b.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_SMALL);
    b.addClassName("schema-edit");
    return b;
  }

  private void refresh() {
    SchemaService.SchemaView current = schema.current();
    version.setText(
        current.version() == null
            ? "No schema yet: add the models of your warehouse, then their relationships and traits."
            : "Version " + current.version() + ", saved by " + current.updatedBy() + ".");
    models.setItems(items("models"));
    relationships.setItems(items("relationships"));
    traits.setItems(items("traits"));
  }

  private List<Item> items(String section) {
    List<Item> out = new ArrayList<>();
    int i = 0;
    for (JsonNode n : draft.items(section)) {
      out.add(new Item(i++, n));
    }
    return out;
  }

  private void showModel(Item item) {
    if (item == null) {
      return;
    }
    String name = item.text("name");
    modelTitle.setText("Columns and sample rows of " + name);
    columns.setItems(schema.columns(name));
    List<Map<String, Object>> rows = schema.sample(name, 20);
    sample.removeAllColumns();
    if (!rows.isEmpty()) {
      for (String c : rows.get(0).keySet()) {
        sample
            .addColumn(r -> r.get(c) == null ? "" : String.valueOf(r.get(c)))
            .setHeader(c)
            .setAutoWidth(true);
      }
    }
    sample.setItems(rows);
  }

  private ObjectNode copy(JsonNode node) {
    return node == null ? JsonNodeFactory.instance.objectNode() : (ObjectNode) node.deepCopy();
  }

  private void openModel(int index, JsonNode node) {
    new ModelDialog(schema, draft, index, copy(node), this::refresh).open();
  }

  private void openRelationship(int index, JsonNode node) {
    new RelationshipDialog(schema, draft, index, copy(node), this::refresh).open();
  }

  private void openTrait(int index, JsonNode node) {
    new TraitDialog(schema, sources, draft, index, copy(node), this::refresh).open();
  }

  private static String on(JsonNode r) {
    List<String> pairs = new ArrayList<>();
    r.path("on").forEach(p -> pairs.add(p.path(0).asText() + " = " + p.path(1).asText()));
    return String.join(", ", pairs);
  }

  private static String describeTrait(Item i) {
    JsonNode n = i.node();
    return switch (i.text("kind")) {
      case "aggregation" ->
          i.text("function").replace('_', ' ')
              + (n.hasNonNull("column") ? " of " + i.text("column") : "")
              + " over "
              + i.text("relationship")
              + (n.has("where") ? " (filtered)" : "");
      case "case" -> n.path("cases").size() + " case(s), else " + n.path("else").asText("null");
      default -> i.text("expression") + " : " + i.text("type");
    };
  }
}
