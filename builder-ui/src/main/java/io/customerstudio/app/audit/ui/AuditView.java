package io.customerstudio.app.audit.ui;

import com.vaadin.flow.component.datepicker.DatePicker;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.value.ValueChangeMode;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.customerstudio.app.audit.AuditLog;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.app.base.ui.Times;
import io.customerstudio.app.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Admins read who changed what: filters (entity, key, actor, since a day), the entries newest first
 * in a grid that pages lazily, and the selected entry's before and after side by side with the
 * changed lines marked.
 */
@Route("audit")
@Menu(title = "Audit log", order = 920, icon = "vaadin:list-select")
@PageTitle("Audit log · Customer Studio")
@RolesAllowed(Roles.ADMIN)
public class AuditView extends VerticalLayout {

  private final AuditLog log;
  private final Select<AuditTrail.Entity> entity = new Select<>();
  private final TextField key = new TextField("Key");
  private final TextField actor = new TextField("Actor");
  private final DatePicker since = new DatePicker("Since (UTC)");
  private final Grid<AuditLog.Entry> grid = new Grid<>();
  private final Div detail = new Div();

  public AuditView(AuditLog log) {
    this.log = log;
    setSizeFull();
    entity.setId("audit-entity");
    entity.setLabel("Entity");
    entity.setItems(AuditTrail.Entity.values());
    entity.setItemLabelGenerator(e -> e == null ? "All" : e.wire());
    entity.setEmptySelectionAllowed(true);
    entity.setEmptySelectionCaption("All");
    key.setId("audit-key");
    actor.setId("audit-actor");
    since.setId("audit-since");
    for (TextField f : new TextField[] {key, actor}) {
      f.setClearButtonVisible(true);
      f.setValueChangeMode(ValueChangeMode.LAZY);
      f.addValueChangeListener(e -> refresh());
    }
    entity.addValueChangeListener(e -> refresh());
    since.addValueChangeListener(e -> refresh());
    since.setClearButtonVisible(true);
    HorizontalLayout filters = new HorizontalLayout(entity, key, actor, since);
    filters.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);

    grid.setId("audit-grid");
    grid.addThemeVariants(GridVariant.LUMO_COMPACT);
    grid.addColumn(e -> Times.second(e.at())).setHeader("Time (UTC)").setAutoWidth(true);
    grid.addColumn(AuditLog.Entry::actor).setHeader("Actor").setAutoWidth(true);
    grid.addColumn(e -> e.entity().wire()).setHeader("Entity").setAutoWidth(true);
    grid.addColumn(AuditLog.Entry::key).setHeader("Key");
    grid.addColumn(e -> e.action().wire()).setHeader("Action").setAutoWidth(true);
    grid.setEmptyStateText("No change recorded matches these filters.");
    grid.asSingleSelect().addValueChangeListener(e -> show(e.getValue()));
    grid.setHeight("40%");

    detail.setId("audit-detail");
    detail.setWidthFull();
    add(new H2("Audit log"), filters, grid, detail);
    refresh();
  }

  /** Pages the grid through the log, newest first, with the filters as they are now. */
  private void refresh() {
    AuditLog.Query filter = filter();
    grid.setItems(q -> log.newestFirst(filter, q.getOffset(), q.getLimit()).stream());
    show(null);
  }

  AuditLog.Query filter() {
    LocalDate day = since.getValue();
    // "after" is exclusive; the store keeps microseconds, so one microsecond before midnight
    Instant after =
        day == null ? null : day.atStartOfDay(ZoneOffset.UTC).toInstant().minusNanos(1_000);
    return new AuditLog.Query(
        entity.getValue(),
        blankToNull(key.getValue()),
        blankToNull(actor.getValue()),
        null,
        after,
        AuditLog.MAX_LIMIT);
  }

  private void show(AuditLog.Entry e) {
    detail.removeAll();
    if (e == null) {
      detail.add(new Paragraph("Select an entry to see what it changed."));
      return;
    }
    detail.add(
        new Paragraph(
            e.actor()
                + " · "
                + e.action().wire()
                + " "
                + e.entity().wire()
                + " "
                + e.key()
                + " · "
                + Times.second(e.at())
                + " UTC"));
    Div table = new Div();
    table.setId("audit-diff");
    table.getStyle().set("display", "grid").set("grid-template-columns", "1fr 1fr");
    table.add(cell("Before", "diff-heading"), cell("After", "diff-heading"));
    for (JsonDiff.Row row : JsonDiff.rows(e.before(), e.after())) {
      boolean changed = row.tag() != JsonDiff.Tag.SAME;
      table.add(
          cell(row.before(), changed && !row.before().isEmpty() ? "diff-removed" : "diff-same"),
          cell(row.after(), changed && !row.after().isEmpty() ? "diff-added" : "diff-same"));
    }
    detail.add(table);
  }

  private static Div cell(String text, String className) {
    Div d = new Div();
    d.setText(text);
    d.addClassName(className);
    d.getStyle()
        .set("white-space", "pre")
        .set("font-family", "var(--lumo-font-family-monospace, monospace)")
        .set("font-size", "var(--lumo-font-size-s)")
        .set("overflow", "hidden");
    return d;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
