package io.customerstudio.app.audiences.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.audiences.PreviewRunner;
import io.customerstudio.app.base.ui.Display;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Column;
import io.customerstudio.query.schema.ColumnType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The members, read from the warehouse a page at a time off the UI thread (never all of them), with
 * the columns and traits a person picks; a click opens the member's profile.
 */
final class MembersPanel extends VerticalLayout {

  static final int PAGE = 100;

  private final AudienceService audiences;
  private final Catalog catalog;
  private final Supplier<JsonNode> definition;
  private final Supplier<String> audience;
  private final Grid<Map<String, Object>> grid = new Grid<>();
  private final MultiSelectComboBox<String> columns = new MultiSelectComboBox<>("Columns");
  private final Paragraph hint = new Paragraph();
  private final Paragraph status = new Paragraph();
  private final Button more = new Button("Show more");
  private final List<Map<String, Object>> rows = new ArrayList<>();
  private final Computation<List<Map<String, Object>>> pages;
  private Catalog.ModelInfo model;

  MembersPanel(
      AudienceService audiences,
      PreviewRunner runner,
      Catalog catalog,
      Supplier<JsonNode> definition) {
    this(audiences, runner, catalog, definition, () -> null);
  }

  /**
   * @param audience the saved audience's key (null while unsaved): profiles then offer the why
   *     answer of its syncs
   */
  MembersPanel(
      AudienceService audiences,
      PreviewRunner runner,
      Catalog catalog,
      Supplier<JsonNode> definition,
      Supplier<String> audience) {
    this.audience = audience;
    this.audiences = audiences;
    this.catalog = catalog;
    this.definition = definition;
    setPadding(false);
    columns.setId("member-columns");
    columns.setHelperText("Columns and traits shown for each member");
    columns.setWidth("32em");
    columns.addValueChangeListener(e -> rebuild(true));
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
        "Click a member (or select one and press Space) to see their profile: properties, traits,"
            + " purchases and timeline.");
    hint.addClassName("hint");
    status.addClassName("hint");
    status.setId("members-status");
    more.setId("members-more");
    more.setVisible(false);
    more.addClickListener(e -> load(rows.size()));
    pages =
        new Computation<>(
            runner,
            new Computation.Listener<>() {
              @Override
              public void started() {
                status.setText("Loading members…");
              }

              @Override
              public void done(List<Map<String, Object>> page) {
                boolean hasMore = page.size() > PAGE;
                rows.addAll(hasMore ? page.subList(0, PAGE) : page);
                grid.setItems(rows);
                more.setVisible(hasMore);
                more.setEnabled(true);
                status.setText(
                    rows.isEmpty() ? "" : "Showing the first " + rows.size() + " members by key.");
              }

              @Override
              public void invalid(List<ApiException.FieldError> problems) {
                rows.clear();
                grid.setItems(rows);
                more.setVisible(false);
                status.setText("Fix the conditions marked in red to see the members.");
              }

              @Override
              public void failed(String message) {
                more.setEnabled(true);
                status.setText(message);
              }
            });
    add(columns, hint, grid, status, more);
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
    // the first page comes with the first size; reading it now would query the warehouse twice
    rebuild(false);
  }

  private void rebuild(boolean reload) {
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
    for (String c : columns.getSelectedItems()) {
      grid.addColumn(r -> text(r.get(c))).setHeader(c).setAutoWidth(true).setKey("col-" + c);
    }
    if (reload) {
      refresh();
    }
  }

  /**
   * Re-reads the first page (after an edit, or other columns). Pages are read off the UI thread, a
   * page at a time ("Show more"), so a slow warehouse never freezes the builder.
   */
  void refresh() {
    if (model == null || UI.getCurrent() == null) {
      return;
    }
    rows.clear();
    load(0);
  }

  private void load(int offset) {
    List<String> chosen = new ArrayList<>(columns.getSelectedItems());
    JsonNode snapshot = definition.get().deepCopy();
    more.setEnabled(false);
    pages.start(
        UI.getCurrent(),
        Duration.ZERO,
        h ->
            audiences.page(
                new AudienceService.Target(snapshot, null), chosen, offset, PAGE + 1, h));
  }

  private void open(Map<String, Object> row) {
    Object key = row.get(model.def().primaryKey());
    audiences
        .profile(model.name(), String.valueOf(key))
        .ifPresentOrElse(
            p -> new ProfileDrawer(p, catalog, audience.get()).open(),
            () -> Notifications.error("Member " + key + " is no longer in the warehouse."));
  }

  private static String text(Object v) {
    return Display.text(v);
  }

  /** Stops what runs, quietly: the builder was closed. */
  void cancel() {
    pages.cancel();
  }
}
