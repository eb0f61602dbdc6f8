package io.customerstudio.app.audiences.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Column;
import io.customerstudio.query.schema.ColumnType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The members, paged lazily from the warehouse as the grid scrolls (never all of them), with the
 * columns and traits a person picks; a click opens the member's profile.
 */
final class MembersPanel extends VerticalLayout {

  private final AudienceService audiences;
  private final Catalog catalog;
  private final Supplier<JsonNode> definition;
  private final Grid<Map<String, Object>> grid = new Grid<>();
  private final MultiSelectComboBox<String> columns = new MultiSelectComboBox<>("Columns");
  private final Paragraph hint = new Paragraph();
  private Catalog.ModelInfo model;

  MembersPanel(AudienceService audiences, Catalog catalog, Supplier<JsonNode> definition) {
    this.audiences = audiences;
    this.catalog = catalog;
    this.definition = definition;
    setPadding(false);
    columns.setId("member-columns");
    columns.setHelperText("Columns and traits shown for each member");
    columns.setWidth("32em");
    columns.addValueChangeListener(e -> rebuild());
    grid.setId("members");
    grid.addThemeVariants(GridVariant.LUMO_ROW_STRIPES, GridVariant.LUMO_COMPACT);
    grid.setHeight("420px");
    // selection, not item click, so Space opens a profile as a click does
    grid.asSingleSelect()
        .addValueChangeListener(
            e -> {
              if (e.getValue() != null) {
                open(e.getValue());
                grid.asSingleSelect().clear();
              }
            });
    grid.setEmptyStateText("No members match these conditions.");
    hint.setText(
        "Click a member to see their profile: properties, traits, purchases and timeline.");
    hint.addClassName("hint");
    add(columns, hint, grid);
  }

  void setModel(Catalog.ModelInfo model) {
    this.model = model;
    List<String> choices = new ArrayList<>();
    for (Column c : model.columns()) {
      if (c.type() != ColumnType.JSON
          && !c.name().equals(model.def().primaryKey())
          && !c.name().equals(model.def().label())) {
        choices.add(c.name());
      }
    }
    catalog.traits(model).forEach(t -> choices.add(t.def().name()));
    columns.setItems(choices);
    columns.clear();
    rebuild();
  }

  /** Re-reads the members (after an edit); the grid fetches pages as it scrolls. */
  void refresh() {
    grid.getDataProvider().refreshAll();
  }

  private void rebuild() {
    if (model == null) {
      return;
    }
    grid.removeAllColumns();
    String key = model.def().primaryKey();
    grid.addColumn(r -> String.valueOf(r.get(key))).setHeader(key).setAutoWidth(true).setKey(key);
    if (model.def().label() != null && !model.def().label().equals(key)) {
      String label = model.def().label();
      grid.addColumn(r -> text(r.get(label))).setHeader(label).setAutoWidth(true);
    }
    List<String> chosen = new ArrayList<>(columns.getSelectedItems());
    for (String c : chosen) {
      grid.addColumn(r -> text(r.get(c))).setHeader(c).setAutoWidth(true).setKey("col-" + c);
    }
    grid.setItems(
        query -> {
          try {
            return audiences
                .page(
                    new AudienceService.Target(definition.get().deepCopy(), null),
                    chosen,
                    query.getOffset(),
                    query.getLimit(),
                    null)
                .stream();
          } catch (ValidationException | ApiException invalid) {
            // the size panel shows the problems next to the conditions
            return java.util.stream.Stream.empty();
          }
        });
  }

  private void open(Map<String, Object> row) {
    Object key = row.get(model.def().primaryKey());
    audiences
        .profile(model.name(), String.valueOf(key))
        .ifPresentOrElse(
            p -> new ProfileDrawer(p, catalog).open(),
            () -> Notifications.error("Member " + key + " is no longer in the warehouse."));
  }

  private static String text(Object v) {
    return v == null ? "" : String.valueOf(v);
  }
}
