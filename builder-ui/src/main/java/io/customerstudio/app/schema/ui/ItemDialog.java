package io.customerstudio.app.schema.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import io.customerstudio.app.base.ui.Notifications;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dialog that edits one item of the schema (a model, relationship or trait) and saves it through
 * the {@link SchemaDraft}: the warehouse's verdict appears next to the field each problem names, or
 * above the form when it names none.
 */
abstract class ItemDialog extends Dialog {

  protected final SchemaDraft draft;
  protected final String section;
  protected final int index;
  protected final ObjectNode item;
  protected final Map<String, HasValidation> fields = new LinkedHashMap<>();
  private final Paragraph problems = new Paragraph();
  private final Runnable onSaved;

  ItemDialog(
      String title,
      SchemaDraft draft,
      String section,
      int index,
      ObjectNode item,
      Runnable onSaved) {
    this.draft = draft;
    this.section = section;
    this.index = index;
    this.item = item;
    this.onSaved = onSaved;
    setHeaderTitle(title);
    setWidth("min(60em, 95vw)");
    problems.addClassName("builder-problems");
    problems.setId("schema-item-problems");
    problems.setVisible(false);
    add(problems);
    Button save = new Button("Save", VaadinIcon.CHECK.create(), e -> save());
    save.setId("schema-item-save");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    Button cancel = new Button("Cancel", e -> close());
    getFooter().add(cancel, save);
    if (index >= 0) {
      Button delete = new Button("Delete", VaadinIcon.TRASH.create(), e -> delete());
      delete.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
      getFooter().addComponentAsFirst(delete);
    }
  }

  /** Writes the form into {@link #item}; false when a field is plainly missing. */
  protected abstract boolean write();

  protected void showConditionProblems(List<SchemaDraft.Problem> problems) {}

  private void save() {
    fields.values().forEach(f -> f.setInvalid(false));
    if (!write()) {
      return;
    }
    if (draft.save(section, index, item, this::show)) {
      Notifications.success("Saved; the schema is now version-checked against the warehouse.");
      close();
      onSaved.run();
    }
  }

  private void delete() {
    if (draft.save(section, index, null, this::show)) {
      Notifications.success("Deleted.");
      close();
      onSaved.run();
    }
  }

  protected void show(List<SchemaDraft.Problem> found) {
    List<String> general = new ArrayList<>();
    List<SchemaDraft.Problem> conditions = new ArrayList<>();
    for (SchemaDraft.Problem p : found) {
      HasValidation field = fieldFor(p.field());
      if (field != null) {
        field.setErrorMessage(p.message());
        field.setInvalid(true);
      } else if (p.field().startsWith("where") || p.field().startsWith("cases")) {
        conditions.add(p);
      } else {
        general.add((p.field().isEmpty() ? "" : p.field() + ": ") + p.message());
      }
    }
    showConditionProblems(conditions);
    problems.setText(String.join(" ", general));
    problems.setVisible(!general.isEmpty());
  }

  /** The field a problem's path names: itself, or the nearest parent path with a field. */
  private HasValidation fieldFor(String path) {
    String p = path;
    while (!p.isEmpty()) {
      if (fields.containsKey(p)) {
        return fields.get(p);
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut < 0 ? "" : p.substring(0, cut);
      if (p.startsWith("where") || p.startsWith("cases")) {
        return null;
      }
    }
    return null;
  }

  /**
   * Offers {@code items} and selects {@code value}, which is offered too when the warehouse no
   * longer reports it (a renamed column): the dialog shows what is saved, and validation says what
   * is wrong with it.
   */
  static void offer(
      com.vaadin.flow.component.combobox.ComboBox<String> picker,
      List<String> items,
      String value) {
    List<String> all = new ArrayList<>(items);
    if (value != null && !all.contains(value)) {
      all.add(0, value);
    }
    picker.setItems(all);
    picker.setValue(value);
  }

  static String text(ObjectNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : null;
  }

  static void put(ObjectNode n, String field, String value) {
    if (value == null || value.isBlank()) {
      n.remove(field);
    } else {
      n.put(field, value.strip());
    }
  }
}
