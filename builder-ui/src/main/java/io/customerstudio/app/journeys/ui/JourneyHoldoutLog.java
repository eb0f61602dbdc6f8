package io.customerstudio.app.journeys.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.value.ValueChangeMode;
import com.vaadin.flow.server.streams.DownloadHandler;
import io.customerstudio.app.journeys.JourneyInsights;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The holdout log of a journey's split node (or of every split, {@code node} null): who was held
 * out, in which group, on which version, when; oldest first, a page at a time, filtered by group
 * and person among the rows loaded, and the whole log as a CSV download.
 */
final class JourneyHoldoutLog extends VerticalLayout {

  static final int PAGE = 100;

  final Grid<JourneyInsights.Holdout> grid = new Grid<>();
  final ComboBox<String> group = new ComboBox<>("Group");
  final TextField person = new TextField("Person");
  private final Button more = new Button("Load more");
  private final List<JourneyInsights.Holdout> loaded = new ArrayList<>();
  private final JourneyInsights insights;
  private final String key;
  private final String node;

  JourneyHoldoutLog(JourneyInsights insights, String key, String node) {
    this.insights = insights;
    this.key = key;
    this.node = node;
    setPadding(false);
    addClassName("journey-holdout-log");
    grid.setId("journey-holdouts");
    grid.addColumn(JourneyInsights.Holdout::personKey).setHeader("Person").setAutoWidth(true);
    grid.addColumn(JourneyInsights.Holdout::group).setHeader("Group").setAutoWidth(true);
    if (node == null) {
      grid.addColumn(JourneyInsights.Holdout::node).setHeader("Split").setAutoWidth(true);
    }
    grid.addColumn(h -> "v" + h.version()).setHeader("Version").setAutoWidth(true);
    grid.addColumn(h -> JourneyLivePanel.time(h.at())).setHeader("At").setAutoWidth(true);
    grid.setAllRowsVisible(true);
    group.setId("journey-holdouts-group");
    group.setClearButtonVisible(true);
    group.addValueChangeListener(e -> filter());
    person.setId("journey-holdouts-person");
    person.setClearButtonVisible(true);
    person.setValueChangeMode(ValueChangeMode.LAZY);
    person.addValueChangeListener(e -> filter());
    DownloadHandler csv =
        event -> {
          event.setFileName("journey-" + key + (node == null ? "" : "-" + node) + "-holdouts.csv");
          event.setContentType("text/csv");
          try (BufferedWriter w =
              new BufferedWriter(
                  new OutputStreamWriter(event.getOutputStream(), StandardCharsets.UTF_8))) {
            insights.writeHoldoutsCsv(key, node, w);
          }
        };
    Anchor download = new Anchor(csv, "Download CSV");
    download.setId("journey-holdouts-download");
    more.setId("journey-holdouts-more");
    more.addClickListener(e -> page());
    HorizontalLayout filters = new HorizontalLayout(group, person);
    filters.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    add(filters, grid, more, download);
    page();
  }

  private void page() {
    String after = loaded.isEmpty() ? null : loaded.get(loaded.size() - 1).personKey();
    List<JourneyInsights.Holdout> next = insights.holdouts(key, node, PAGE, after);
    loaded.addAll(next);
    more.setVisible(next.size() == PAGE);
    TreeSet<String> groups = new TreeSet<>();
    loaded.forEach(h -> groups.add(h.group()));
    String g = group.getValue();
    group.setItems(groups);
    if (g != null && groups.contains(g)) {
      group.setValue(g);
    }
    filter();
  }

  private void filter() {
    String g = group.getValue();
    String p = person.getValue() == null ? "" : person.getValue().trim().toLowerCase(Locale.ROOT);
    grid.setItems(
        loaded.stream()
            .filter(h -> g == null || g.equals(h.group()))
            .filter(h -> p.isEmpty() || h.personKey().toLowerCase(Locale.ROOT).contains(p))
            .toList());
  }
}
