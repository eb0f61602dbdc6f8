package io.customerstudio.app.consent.ui;

import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.ListItem;
import com.vaadin.flow.component.html.UnorderedList;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.radiobutton.RadioButtonGroup;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.app.base.ui.FormErrors;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.consent.ConsentService;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.security.Roles;
import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.governance.Consent;
import io.customerstudio.query.governance.ConsentPurposes;
import io.customerstudio.query.schema.Column;
import jakarta.annotation.security.RolesAllowed;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Admins say where consent comes from: a table or query of OneTrust-shaped receipts, its columns,
 * the parent models it applies to, and what no receipt means. The page states the semantics runs
 * apply, and previews per purpose how many people allow or block.
 */
@Route("consent")
@Menu(title = "Consent", order = 310, icon = "vaadin:shield")
@PageTitle("Consent · Customer Studio")
@RolesAllowed(Roles.ADMIN)
public class ConsentView extends VerticalLayout {

  static final String TABLE = "Table";
  static final String SQL = "SQL query";

  private final ConsentService consent;
  private final String user;
  private final Map<String, List<String>> parents;
  private final RadioButtonGroup<String> kind = new RadioButtonGroup<>("Receipts come from");
  private final ComboBox<String> table = new ComboBox<>("Table");
  private final TextArea sql = new TextArea("Read-only query");
  private final ComboBox<String> subject = new ComboBox<>("Subject column");
  private final ComboBox<String> purpose = new ComboBox<>("Purpose column");
  private final ComboBox<String> status = new ComboBox<>("Status column");
  private final ComboBox<String> timestamp = new ComboBox<>("Timestamp column");
  private final ComboBox<String> parent = new ComboBox<>("Parent model");
  private final ComboBox<String> parentColumn = new ComboBox<>("Parent column");
  private final RadioButtonGroup<String> missingDefault =
      new RadioButtonGroup<>("Without a receipt");
  private final VerticalLayout missingPurposes = new VerticalLayout();
  private final List<MissingRow> missingRows = new ArrayList<>();
  private final Grid<ConsentPurposes.Count> purposes = new Grid<>();

  /** One "per purpose" rule of what no receipt means. */
  record MissingRow(HorizontalLayout row, TextField purpose, Select<String> rule) {}

  public ConsentView(ConsentService consent, AuthenticationContext auth) {
    this.consent = consent;
    this.user = auth.getPrincipalName().orElse("unknown");
    this.parents = consent.parentModels();
    setId("consent-view");

    kind.setId("consent-source-kind");
    kind.setItems(TABLE, SQL);
    kind.setValue(TABLE);
    table.setId("consent-table");
    table.setItems(consent.tables());
    table.setWidth("24em");
    sql.setId("consent-sql");
    sql.setWidthFull();
    sql.setHelperText("One read-only query; it is prepared, never run, to read its columns.");
    Button readColumns =
        new Button("Read columns", VaadinIcon.REFRESH.create(), e -> readColumns(true));
    readColumns.setId("consent-read-columns");
    kind.addValueChangeListener(e -> showKind());
    table.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            readColumns(false);
          }
        });
    subject.setId("consent-subject");
    subject.setHelperText("Compared with the parent column trimmed and case-insensitively");
    purpose.setId("consent-purpose");
    status.setId("consent-status");
    timestamp.setId("consent-timestamp");
    timestamp.setHelperText("A date or timestamp: the latest receipt wins");
    parent.setId("consent-parent");
    parent.setItems(parents.keySet());
    parent.setClearButtonVisible(true);
    parent.setHelperText("Empty: every parent model that has the parent column");
    parent.addValueChangeListener(e -> parentColumns());
    parentColumn.setId("consent-parent-column");
    parentColumn.setHelperText("The parent's column that holds the subject (an email, an id)");
    parentColumns();
    missingDefault.setId("consent-missing-default");
    missingDefault.setItems("block", "allow");
    missingDefault.setValue("block");
    missingDefault.setItemLabelGenerator(v -> v.equals("block") ? "Blocks" : "Allows");
    missingPurposes.setId("consent-missing-purposes");
    missingPurposes.setPadding(false);
    Button addMissing =
        new Button("Rule for a purpose", VaadinIcon.PLUS.create(), e -> addMissing("", "allow"));
    addMissing.setId("consent-add-missing");
    addMissing.addThemeVariants(ButtonVariant.LUMO_TERTIARY);

    purposes.setId("consent-purposes");
    purposes.addColumn(ConsentPurposes.Count::purpose).setHeader("Purpose");
    purposes.addColumn(ConsentPurposes.Count::subjects).setHeader("People");
    purposes.addColumn(ConsentPurposes.Count::allows).setHeader("Allow");
    purposes.addColumn(ConsentPurposes.Count::blocks).setHeader("Block");
    purposes.addColumn(ConsentPurposes.Count::ties).setHeader("Tie (blocks)");
    purposes.setAllRowsVisible(true);
    Button preview = new Button("Preview purposes", VaadinIcon.EYE.create(), e -> preview());
    preview.setId("consent-preview");

    Button save = new Button("Save", VaadinIcon.CHECK.create(), e -> save());
    save.setId("consent-save");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    Button remove = new Button("Remove", VaadinIcon.TRASH.create(), e -> remove());
    remove.setId("consent-delete");
    remove.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
    HorizontalLayout top = new HorizontalLayout(new H2("Consent"), save, remove);
    top.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);

    FormLayout columns = new FormLayout(subject, purpose, status, timestamp);
    FormLayout applies = new FormLayout(parent, parentColumn);
    add(
        top,
        semantics(),
        new H3("Receipts"),
        kind,
        new HorizontalLayout(table, readColumns),
        sql,
        columns,
        new H3("Who it applies to"),
        applies,
        new H3("No receipt"),
        missingDefault,
        missingPurposes,
        addMissing,
        new H3("Purposes found"),
        preview,
        purposes);
    load();
    showKind();
  }

  /** What runs do with consent, in words: the spec's semantics, on the page. */
  static UnorderedList semantics() {
    UnorderedList list =
        new UnorderedList(
            new ListItem(
                "The latest receipt per person and purpose wins, by its timestamp; a receipt"
                    + " without a time is older than any with one."),
            new ListItem(
                "Two latest receipts with the same timestamp are a tie, and a tie blocks."),
            new ListItem(
                "ACTIVE and ALWAYS_ACTIVE allow. Every other status blocks: "
                    + String.join(
                        ", ",
                        Consent.KNOWN_STATUSES.stream()
                            .filter(s -> !Consent.ALLOWING.contains(s))
                            .toList())
                    + " and anything unknown (statuses are compared trimmed, upper-cased)."),
            new ListItem(
                "Subjects are matched to the parent column trimmed and case-insensitively;"
                    + " purposes are trimmed and lower-cased."),
            new ListItem(
                "A destination lists the purposes it needs; a person is delivered only if every"
                    + " one allows."),
            new ListItem(
                "A person who withdraws is removed from upsert and mirror destinations on the"
                    + " next run: keeping them there would be processing without consent."));
    list.setId("consent-semantics");
    return list;
  }

  private void load() {
    consent
        .current()
        .ifPresent(
            c -> {
              kind.setValue(c.table() != null ? TABLE : SQL);
              if (c.table() != null) {
                table.setValue(c.table());
              } else {
                sql.setValue(c.sql());
              }
              readColumns(false);
              subject.setValue(c.subjectColumn());
              purpose.setValue(c.purposeColumn());
              status.setValue(c.statusColumn());
              timestamp.setValue(c.timestampColumn());
              parent.setValue(c.parent());
              parentColumns();
              parentColumn.setValue(c.parentColumn());
              missingDefault.setValue(c.missingDefaultAllows() ? "allow" : "block");
              new java.util.TreeMap<>(c.missingAllows())
                  .forEach((p, allows) -> addMissing(p, allows ? "allow" : "block"));
            });
  }

  private void showKind() {
    boolean isTable = TABLE.equals(kind.getValue());
    table.setVisible(isTable);
    sql.setVisible(!isTable);
  }

  /** Offers the source's columns to the four pickers; says what is wrong with the source. */
  private void readColumns(boolean tell) {
    List<String> names;
    try {
      names = consent.sourceColumns(sourceTable(), sourceSql()).stream().map(Column::name).toList();
    } catch (ValidationException e) {
      if (tell) {
        FormErrors.show(e, fields());
      }
      return;
    }
    for (ComboBox<String> c : List.of(subject, purpose, status, timestamp)) {
      String v = c.getValue();
      c.setItems(names);
      if (v != null && names.contains(v)) {
        c.setValue(v);
      }
    }
    if (tell) {
      Notifications.success(names.size() + " columns read.");
    }
  }

  private void parentColumns() {
    Set<String> names = new LinkedHashSet<>();
    if (parent.getValue() != null) {
      names.addAll(parents.getOrDefault(parent.getValue(), List.of()));
    } else {
      parents.values().forEach(names::addAll);
    }
    String v = parentColumn.getValue();
    parentColumn.setItems(names);
    if (v != null && names.contains(v)) {
      parentColumn.setValue(v);
    }
  }

  private MissingRow addMissing(String purposeName, String rule) {
    TextField p = new TextField();
    p.setPlaceholder("purpose");
    p.addClassName("consent-missing-purpose");
    p.setValue(purposeName);
    Select<String> r = new Select<>();
    r.setItems("allow", "block");
    r.setValue(rule);
    r.addClassName("consent-missing-rule");
    HorizontalLayout row = new HorizontalLayout(p, r);
    MissingRow missing = new MissingRow(row, p, r);
    Button remove =
        new Button(
            VaadinIcon.CLOSE_SMALL.create(),
            e -> {
              missingRows.remove(missing);
              missingPurposes.remove(row);
            });
    remove.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    row.add(remove);
    missingRows.add(missing);
    missingPurposes.add(row);
    return missing;
  }

  private String sourceTable() {
    return TABLE.equals(kind.getValue()) ? table.getValue() : null;
  }

  private String sourceSql() {
    return SQL.equals(kind.getValue()) ? sql.getValue() : null;
  }

  /** The form as a consent (unchecked: the service checks it). */
  Consent draft() {
    Map<String, Boolean> perPurpose = new LinkedHashMap<>();
    for (MissingRow r : missingRows) {
      if (!r.purpose().getValue().isBlank()) {
        perPurpose.put(
            Consent.purpose(r.purpose().getValue()), "allow".equals(r.rule().getValue()));
      }
    }
    return new Consent(
        sourceTable(),
        sourceSql(),
        subject.getValue(),
        purpose.getValue(),
        status.getValue(),
        timestamp.getValue(),
        parentColumn.getValue(),
        parent.getValue(),
        "allow".equals(missingDefault.getValue()),
        perPurpose);
  }

  private void preview() {
    clearErrors();
    try {
      List<ConsentPurposes.Count> found = consent.purposes(draft());
      purposes.setItems(found);
      if (found.isEmpty()) {
        Notifications.error("The source has no receipts.");
      }
    } catch (ValidationException e) {
      FormErrors.show(e, fields());
    } catch (ConflictException e) {
      Notifications.error(e.getMessage());
    }
  }

  private void save() {
    clearErrors();
    try {
      consent.put(draft(), new Problems(), user);
      Notifications.success("Consent saved: runs apply it from their next start.");
    } catch (ValidationException e) {
      FormErrors.show(e, fields());
    }
  }

  private void remove() {
    if (Notifications.attempt(() -> consent.delete(user))) {
      Notifications.success("Consent removed: runs no longer apply it.");
    }
  }

  private void clearErrors() {
    fields().values().forEach(f -> f.setInvalid(false));
  }

  private Map<String, HasValidation> fields() {
    return Map.of(
        "$.source.table", table,
        "$.source.sql", sql,
        "$.source", TABLE.equals(kind.getValue()) ? table : sql,
        "$.subjectColumn", subject,
        "$.purposeColumn", purpose,
        "$.statusColumn", status,
        "$.timestampColumn", timestamp,
        "$.parent", parent,
        "$.parentColumn", parentColumn);
  }
}
