package io.customerstudio.app.syncs.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import io.customerstudio.activities.sync.RunTables;
import io.customerstudio.activities.sync.SyncEngine;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.app.syncs.SyncDefinitions;
import io.customerstudio.app.syncs.SyncRuns;
import io.customerstudio.query.ValidationException;
import java.util.List;

/**
 * A dry run of one sync: the exact diff the next run would send (counts and a sample of added,
 * changed and removed rows with their values), computed without sending anything.
 */
final class DryRunDialog extends Dialog {

  DryRunDialog(SyncRuns runs, SyncDefinitions.SyncView s) {
    setId("dry-run-dialog");
    setHeaderTitle("Dry run of " + s.name());
    setWidth("900px");
    try {
      SyncEngine.DryRun r = runs.dryRun(s.key(), 20);
      Paragraph counts =
          new Paragraph(
              "%,d members. The next run would send %,d added, %,d changed and %,d removed rows. Nothing was sent."
                  .formatted(r.members(), r.added(), r.changed(), r.removed()));
      counts.setId("dry-run-counts");
      add(counts);
      add(sample("Added", r.addedSample(), "dry-run-added"));
      add(sample("Changed", r.changedSample(), "dry-run-changed"));
      add(sample("Removed", r.removedSample(), "dry-run-removed"));
    } catch (NotFoundException | ConflictException | ValidationException ex) {
      add(new Paragraph(ex.getMessage()));
    }
    getFooter().add(new Button("Close", e -> close()));
  }

  private static VerticalLayout sample(String title, List<RunTables.DiffRow> rows, String id) {
    VerticalLayout box = new VerticalLayout();
    box.setPadding(false);
    box.add(new H4(title + " (" + (rows.isEmpty() ? "none" : "first " + rows.size()) + ")"));
    if (!rows.isEmpty()) {
      Grid<RunTables.DiffRow> g = new Grid<>();
      g.setId(id);
      g.setAllRowsVisible(rows.size() <= 8);
      g.setHeight(rows.size() <= 8 ? null : "260px");
      g.addColumn(RunTables.DiffRow::key).setHeader("Key").setAutoWidth(true);
      g.addColumn(r -> fieldsText(r.fields()))
          .setHeader("Fields")
          .setFlexGrow(3)
          .setTooltipGenerator(r -> fieldsText(r.fields()));
      g.setItems(rows);
      box.add(g);
    }
    return box;
  }

  /** "field: value · field: value", as a person reads a row. */
  static String fieldsText(java.util.Map<String, Object> fields) {
    return fields.entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue())
        .collect(java.util.stream.Collectors.joining(" · "));
  }
}
