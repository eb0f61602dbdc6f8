package io.customerstudio.app.audiences.ui;

import com.github.difflib.text.DiffRow;
import com.github.difflib.text.DiffRowGenerator;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.conditions.ui.ConditionText;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every saved version, newest first. Selecting one shows what it changed against the version before
 * it, as sentences ("country is one of DE, FR") marked added or removed, and offers to restore it
 * (which saves it again as the newest version).
 */
final class VersionsPanel extends VerticalLayout {

  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

  private final Grid<AudienceService.VersionView> grid = new Grid<>();
  private final Div diff = new Div();
  private final Button restore =
      new Button("Restore this version", VaadinIcon.ROTATE_LEFT.create());
  private List<AudienceService.VersionView> versions = List.of();

  VersionsPanel(Consumer<AudienceService.VersionView> onRestore) {
    setPadding(false);
    grid.setId("versions");
    grid.addThemeVariants(GridVariant.LUMO_COMPACT);
    grid.addColumn(v -> "v" + v.version()).setHeader("Version").setAutoWidth(true);
    grid.addColumn(AudienceService.VersionView::name).setHeader("Name");
    grid.addColumn(AudienceService.VersionView::createdBy).setHeader("Saved by");
    grid.addColumn(v -> v.createdAt().format(WHEN)).setHeader("Saved at (UTC)");
    grid.setAllRowsVisible(true);
    grid.setEmptyStateText("Save the audience to start its history.");
    grid.asSingleSelect().addValueChangeListener(e -> show(e.getValue()));
    diff.setId("version-diff");
    diff.addClassName("version-diff");
    restore.setId("version-restore");
    restore.setEnabled(false);
    restore.addClickListener(e -> onRestore.accept(grid.asSingleSelect().getValue()));
    add(grid, restore, diff);
  }

  void setVersions(List<AudienceService.VersionView> versions) {
    this.versions =
        versions.stream().sorted((a, b) -> Integer.compare(b.version(), a.version())).toList();
    grid.setItems(this.versions);
    diff.removeAll();
    restore.setEnabled(false);
  }

  private void show(AudienceService.VersionView v) {
    diff.removeAll();
    restore.setEnabled(
        v != null && !versions.isEmpty() && v.version() != versions.get(0).version());
    if (v == null) {
      return;
    }
    AudienceService.VersionView before =
        versions.stream().filter(x -> x.version() == v.version() - 1).findFirst().orElse(null);
    diff.add(
        new Paragraph(
            before == null
                ? "v" + v.version() + ", the first version:"
                : "What v" + v.version() + " changed against v" + before.version() + ":"));
    for (String[] line : diff(before == null ? List.of() : lines(before), lines(v))) {
      Div row = new Div();
      row.setText(line[0] + " " + line[1]);
      row.addClassName(
          line[0].equals("+") ? "diff-added" : line[0].equals("−") ? "diff-removed" : "diff-same");
      diff.add(row);
    }
  }

  static List<String> lines(AudienceService.VersionView v) {
    List<String> out = new ArrayList<>();
    out.add("name: " + v.name());
    out.add("description: " + (v.description() == null ? "" : v.description()));
    out.add("model: " + v.definition().path("parent").asText());
    out.addAll(ConditionText.lines(v.definition().get("filter")));
    return out;
  }

  /** Lines marked "+" (added), "−" (removed) or " " (unchanged). */
  static List<String[]> diff(List<String> before, List<String> after) {
    DiffRowGenerator generator =
        DiffRowGenerator.create().showInlineDiffs(false).lineNormalizer(s -> s).build();
    List<String[]> out = new ArrayList<>();
    for (DiffRow r : generator.generateDiffRows(before, after)) {
      switch (r.getTag()) {
        case EQUAL -> out.add(new String[] {" ", r.getNewLine()});
        case INSERT -> out.add(new String[] {"+", r.getNewLine()});
        case DELETE -> out.add(new String[] {"−", r.getOldLine()});
        case CHANGE -> {
          if (!r.getOldLine().isEmpty()) {
            out.add(new String[] {"−", r.getOldLine()});
          }
          if (!r.getNewLine().isEmpty()) {
            out.add(new String[] {"+", r.getNewLine()});
          }
        }
      }
    }
    return out;
  }
}
