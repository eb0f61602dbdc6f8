package io.customerstudio.app.subsets.ui;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.confirmdialog.ConfirmDialog;
import com.vaadin.flow.component.details.Details;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.base.ui.FormErrors;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.conditions.ConditionSources;
import io.customerstudio.app.conditions.ui.BuilderContext;
import io.customerstudio.app.conditions.ui.ConditionBuilder;
import io.customerstudio.app.security.Roles;
import io.customerstudio.app.subsets.SubsetService;
import jakarta.annotation.security.RolesAllowed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Admins define subset categories: named conditions over one parent model (built with the same
 * condition builder as audiences) that restrict what users see and what syncs and destinations
 * deliver. Users get their subsets on the Users page.
 */
@Route("subsets")
@Menu(title = "Subsets", order = 910, icon = "vaadin:filter")
@PageTitle("Subsets · Customer Studio")
@RolesAllowed(Roles.ADMIN)
public class SubsetsView extends VerticalLayout {

  private final SubsetService subsets;
  private final ConditionSources sources;
  private final String me;
  private final Grid<SubsetService.CategoryView> grid = new Grid<>();

  public SubsetsView(SubsetService subsets, ConditionSources sources, AuthenticationContext auth) {
    this.subsets = subsets;
    this.sources = sources;
    this.me = auth.getPrincipalName().orElse("");
    Button add = new Button("New category", VaadinIcon.PLUS.create(), e -> open(null));
    add.setId("add-category");
    add.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    HorizontalLayout top = new HorizontalLayout(new H2("Subsets"), add);
    top.setDefaultVerticalComponentAlignment(Alignment.BASELINE);
    Paragraph help =
        new Paragraph(
            "A category splits a parent model's rows into subsets (Region: EU, US). A user with"
                + " subsets sees and counts only those rows; a sync or destination that requires"
                + " subsets delivers only those rows. Within a category subsets are ORed, across"
                + " categories ANDed.");
    grid.setId("categories");
    grid.addColumn(SubsetService.CategoryView::key).setHeader("Key");
    grid.addColumn(SubsetService.CategoryView::name).setHeader("Name");
    grid.addColumn(SubsetService.CategoryView::parent).setHeader("Parent");
    grid.addColumn(
            c ->
                c.subsets().stream()
                    .map(SubsetService.SubsetView::name)
                    .collect(Collectors.joining(", ")))
        .setHeader("Subsets");
    grid.addComponentColumn(
            c -> {
              Button edit = new Button("Edit", e -> open(c));
              edit.setId("edit-category-" + c.key());
              edit.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
              Button delete = new Button("Delete", e -> confirmDelete(c));
              delete.setId("delete-category-" + c.key());
              delete.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_ERROR);
              return new HorizontalLayout(edit, delete);
            })
        .setHeader("Actions")
        .setKey("actions");
    add(top, help, grid);
    refresh();
  }

  private void refresh() {
    grid.setItems(subsets.list());
  }

  private void open(SubsetService.CategoryView existing) {
    new Editor(existing).open();
  }

  private void confirmDelete(SubsetService.CategoryView c) {
    ConfirmDialog confirm =
        new ConfirmDialog(
            "Delete " + c.name() + "?",
            "Refused while a user, sync or destination requires it.",
            "Delete",
            e -> {
              if (Notifications.attempt(() -> subsets.delete(c.key(), me))) {
                refresh();
              }
            });
    confirm.setConfirmButtonTheme("error primary");
    confirm.setCancelable(true);
    confirm.open();
  }

  /** One category: key, name, parent, and each subset with its condition builder. */
  public final class Editor extends Dialog {

    private final TextField key = new TextField("Key");
    private final TextField name = new TextField("Name");
    private final Select<String> parent = new Select<>();
    private final VerticalLayout rows = new VerticalLayout();
    private final List<Row> subsetRows = new ArrayList<>();
    private final BuilderContext ctx = new BuilderContext(sources, null, false, () -> {});
    private final SubsetService.CategoryView existing;

    Editor(SubsetService.CategoryView existing) {
      this.existing = existing;
      setId("category-editor");
      setWidth("900px");
      setHeaderTitle(existing == null ? "New category" : "Category " + existing.name());
      key.setId("category-key");
      name.setId("category-name");
      parent.setId("category-parent");
      parent.setLabel("Parent model");
      parent.setItems(subsets.parents());
      rows.setPadding(false);
      if (existing == null) {
        if (!subsets.parents().isEmpty()) {
          parent.setValue(subsets.parents().get(0));
        }
      } else {
        key.setValue(existing.key());
        key.setReadOnly(true);
        name.setValue(existing.name());
        parent.setValue(existing.parent());
      }
      parent.addValueChangeListener(e -> subsetRows.forEach(Row::rebuild));
      Button addSubset = new Button("Add subset", VaadinIcon.PLUS.create(), e -> addRow(null));
      addSubset.setId("add-subset");
      if (existing != null) {
        existing.subsets().forEach(this::addRow);
      } else {
        addRow(null);
      }
      add(new FormLayout(name, key, parent), rows, addSubset);
      Button save = new Button("Save", e -> save());
      save.setId("category-save");
      save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
      getFooter().add(new Button("Cancel", e -> close()), save);
    }

    /** Adds a subset row (empty when {@code s} is null). */
    public Row addRow(SubsetService.SubsetView s) {
      Row row = new Row(s);
      subsetRows.add(row);
      rows.add(row);
      return row;
    }

    public List<Row> rows() {
      return subsetRows;
    }

    public TextField key() {
      return key;
    }

    public TextField name() {
      return name;
    }

    public Select<String> parent() {
      return parent;
    }

    public void save() {
      List<SubsetService.SubsetView> list =
          subsetRows.stream()
              .map(
                  r ->
                      new SubsetService.SubsetView(
                          r.key.getValue(), r.name.getValue(), r.condition()))
              .toList();
      Map<String, HasValidation> fields = new HashMap<>();
      fields.put("$.key", key);
      fields.put("$.name", name);
      for (int i = 0; i < subsetRows.size(); i++) {
        fields.put("$.subsets[" + i + "].key", subsetRows.get(i).key);
        fields.put("$.subsets[" + i + "].name", subsetRows.get(i).name);
      }
      fields.values().forEach(f -> f.setInvalid(false));
      try {
        SubsetService.CategoryCommand command =
            new SubsetService.CategoryCommand(
                key.getValue(), name.getValue(), parent.getValue(), list);
        if (existing == null) {
          subsets.create(command, me);
        } else {
          subsets.update(existing.key(), command, me);
        }
        Notifications.success("Saved " + name.getValue());
        close();
        refresh();
      } catch (ApiException ex) {
        FormErrors.show(ex, fields);
      }
    }

    /** One subset: key, name and its condition over the parent. */
    public final class Row extends Details {
      private final TextField key = new TextField("Key");
      private final TextField name = new TextField("Name");
      private final ObjectNode holder = JsonNodeFactory.instance.objectNode();
      private final VerticalLayout slot = new VerticalLayout();

      Row(SubsetService.SubsetView s) {
        int n = subsetRows.size();
        key.setId("subset-key-" + n);
        name.setId("subset-name-" + n);
        if (s != null) {
          key.setValue(s.key());
          name.setValue(s.name());
          if (s.condition() != null) {
            holder.set("condition", s.condition().deepCopy());
          }
        }
        Button remove =
            new Button(
                VaadinIcon.TRASH.create(),
                e -> {
                  subsetRows.remove(this);
                  rows.remove(this);
                });
        remove.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_ERROR);
        setSummaryText(s == null ? "New subset" : s.name());
        slot.setPadding(false);
        add(new HorizontalLayout(name, key, remove), slot);
        setOpened(true);
        rebuild();
      }

      void rebuild() {
        slot.removeAll();
        ctx.catalog()
            .model(parent.getValue() == null ? "" : parent.getValue())
            .ifPresent(m -> slot.add(new ConditionBuilder(holder, "condition", m, ctx)));
      }

      public TextField key() {
        return key;
      }

      public TextField name() {
        return name;
      }

      public com.fasterxml.jackson.databind.JsonNode condition() {
        return holder.get("condition");
      }
    }
  }
}
