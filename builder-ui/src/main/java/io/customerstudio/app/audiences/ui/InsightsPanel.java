package io.customerstudio.app.audiences.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.progressbar.ProgressBar;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.audiences.PreviewRunner;
import io.customerstudio.app.base.ui.Chart;
import io.customerstudio.query.engine.AudienceEngine;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Column;
import io.customerstudio.query.schema.ColumnType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Compares the audience being edited with saved ones (sizes, pairwise overlaps, all-way
 * intersection) and breaks it down by a column or trait: bars for categories, a histogram for
 * numbers and times.
 */
final class InsightsPanel extends VerticalLayout {

  static final String THIS = "this audience";

  /** A column or trait to break down by. */
  record By(String name, boolean trait, ColumnType type) {}

  private final AudienceService audiences;
  private final Supplier<JsonNode> definition;
  private final MultiSelectComboBox<AudienceService.AudienceView> others =
      new MultiSelectComboBox<>("Compare with");
  private final Chart overlapChart = new Chart();
  private final Grid<List<String>> matrix = new Grid<>();
  private final Paragraph overlapStatus = new Paragraph();
  private final ComboBox<By> by = new ComboBox<>("Break down by");
  private final Chart breakdownChart = new Chart();
  private final Paragraph breakdownStatus = new Paragraph();
  private final Computation<AudienceEngine.Overlap> overlap;
  private final Computation<AudienceEngine.Breakdown> breakdown;

  InsightsPanel(AudienceService audiences, PreviewRunner runner, Supplier<JsonNode> definition) {
    this.audiences = audiences;
    this.definition = definition;
    setPadding(false);
    others.setId("overlap-audiences");
    others.setItemLabelGenerator(a -> a.name() + " · " + a.key());
    others.setWidth("30em");
    overlapChart.setId("overlap-chart");
    overlapChart.setVisible(false);
    matrix.setId("overlap-matrix");
    matrix.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_COLUMN_BORDERS);
    matrix.setAllRowsVisible(true);
    matrix.setVisible(false);
    ProgressBar overlapProgress = new ProgressBar();
    overlapProgress.setIndeterminate(true);
    overlapProgress.setVisible(false);
    overlap =
        new Computation<>(
            runner,
            listener(
                overlapProgress,
                overlapStatus,
                o -> {
                  overlapChart.setOption(overlapOption(o));
                  overlapChart.setVisible(true);
                  fillMatrix(o);
                  overlapStatus.setText(
                      "In all of them: " + o.all() + ". In any of them: " + o.union() + ".");
                }));
    Button compare =
        new Button(
            "Compare",
            VaadinIcon.CHART_3D.create(),
            e -> {
              List<String> keys =
                  others.getSelectedItems().stream()
                      .map(AudienceService.AudienceView::key)
                      .toList();
              if (keys.isEmpty()) {
                overlapStatus.setText("Choose one or more saved audiences to compare with.");
                return;
              }
              JsonNode snapshot = definition.get().deepCopy();
              overlap.start(
                  UI.getCurrent(),
                  Duration.ZERO,
                  h -> audiences.overlap(THIS, snapshot, keys, null));
            });
    compare.setId("overlap-compare");
    HorizontalLayout overlapControls = new HorizontalLayout(others, compare);
    overlapControls.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);

    by.setId("breakdown-by");
    by.setItemLabelGenerator(
        b -> b.name() + (b.trait() ? " (trait)" : "") + " · " + b.type().name().toLowerCase());
    breakdownChart.setId("breakdown-chart");
    breakdownChart.setVisible(false);
    ProgressBar breakdownProgress = new ProgressBar();
    breakdownProgress.setIndeterminate(true);
    breakdownProgress.setVisible(false);
    breakdown =
        new Computation<>(
            runner,
            listener(
                breakdownProgress,
                breakdownStatus,
                b -> {
                  breakdownChart.setOption(breakdownOption(b));
                  breakdownChart.setVisible(true);
                  breakdownStatus.setText(
                      b.total()
                          + " members; "
                          + b.nulls()
                          + " without a value"
                          + (b.other() > 0 ? "; " + b.other() + " in other values" : "")
                          + ".");
                }));
    Button show =
        new Button(
            "Break down",
            VaadinIcon.BAR_CHART.create(),
            e -> {
              By choice = by.getValue();
              if (choice == null) {
                breakdownStatus.setText("Choose a column or trait to break the audience down by.");
                return;
              }
              JsonNode snapshot = definition.get().deepCopy();
              breakdown.start(
                  UI.getCurrent(),
                  Duration.ZERO,
                  h ->
                      audiences.breakdown(
                          new AudienceService.Target(snapshot, null),
                          choice.trait() ? null : choice.name(),
                          choice.trait() ? choice.name() : null,
                          null,
                          10));
            });
    show.setId("breakdown-show");
    HorizontalLayout breakdownControls = new HorizontalLayout(by, show);
    breakdownControls.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);

    add(
        new H4("Overlap"),
        overlapControls,
        overlapProgress,
        overlapStatus,
        overlapChart,
        matrix,
        new H4("Breakdown"),
        breakdownControls,
        breakdownProgress,
        breakdownStatus,
        breakdownChart);
  }

  void setModel(Catalog catalog, Catalog.ModelInfo model, String self) {
    others.setItems(
        audiences.list(null).stream()
            .filter(a -> a.parent().equals(model.name()) && !a.key().equals(self))
            .toList());
    List<By> choices = new ArrayList<>();
    for (Column c : model.columns()) {
      if (c.type() != ColumnType.JSON && !c.name().equals(model.def().primaryKey())) {
        choices.add(new By(c.name(), false, c.type()));
      }
    }
    catalog.traits(model).forEach(t -> choices.add(new By(t.def().name(), true, t.type())));
    by.setItems(choices);
  }

  private static <T> Computation.Listener<T> listener(
      ProgressBar progress, Paragraph status, java.util.function.Consumer<T> show) {
    return new Computation.Listener<>() {
      @Override
      public void started() {
        progress.setVisible(true);
        status.setText("Computing…");
      }

      @Override
      public void done(T result) {
        progress.setVisible(false);
        show.accept(result);
      }

      @Override
      public void invalid(List<ApiException.FieldError> problems) {
        progress.setVisible(false);
        status.setText(
            String.join("; ", problems.stream().map(ApiException.FieldError::message).toList()));
      }

      @Override
      public void failed(String message) {
        progress.setVisible(false);
        status.setText(message);
      }
    };
  }

  private void fillMatrix(AudienceEngine.Overlap o) {
    matrix.removeAllColumns();
    List<String> keys = o.keys();
    matrix.addColumn(r -> r.get(0)).setHeader("").setAutoWidth(true);
    for (int i = 0; i < keys.size(); i++) {
      int col = i + 1;
      matrix.addColumn(r -> r.get(col)).setHeader(keys.get(i)).setAutoWidth(true);
    }
    List<List<String>> rows = new ArrayList<>();
    for (String a : keys) {
      List<String> row = new ArrayList<>();
      row.add(a);
      for (String b : keys) {
        row.add(String.valueOf(a.equals(b) ? o.sizes().get(a) : both(o, a, b)));
      }
      rows.add(row);
    }
    matrix.setItems(rows);
    matrix.setVisible(true);
  }

  private static long both(AudienceEngine.Overlap o, String a, String b) {
    return o.pairs().stream()
        .filter(p -> (p.a().equals(a) && p.b().equals(b)) || (p.a().equals(b) && p.b().equals(a)))
        .mapToLong(AudienceEngine.Pair::both)
        .findFirst()
        .orElse(0);
  }

  /** Bars per compared audience: its size, and how many of them are also in this audience. */
  static ObjectNode overlapOption(AudienceEngine.Overlap o) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode opt = f.objectNode();
    opt.putObject("tooltip").put("trigger", "axis");
    ObjectNode legend = opt.putObject("legend");
    legend.put("top", 0);
    legend.putArray("data").add("size").add("also in " + THIS);
    opt.putObject("grid").put("left", 60).put("right", 20).put("top", 40).put("bottom", 40);
    ArrayNode names = opt.putObject("xAxis").put("type", "category").putArray("data");
    opt.putObject("yAxis").put("type", "value");
    ArrayNode series = opt.putArray("series");
    ObjectNode size = series.addObject().put("type", "bar").put("name", "size");
    ObjectNode shared = series.addObject().put("type", "bar").put("name", "also in " + THIS);
    ArrayNode sizes = size.putArray("data");
    ArrayNode both = shared.putArray("data");
    for (String k : o.keys()) {
      names.add(k);
      sizes.add(o.sizes().get(k));
      both.add(k.equals(THIS) ? o.sizes().get(k) : both(o, THIS, k));
    }
    return opt;
  }

  /** Bars for top values (plus "other"), a histogram for number and time buckets. */
  static ObjectNode breakdownOption(AudienceEngine.Breakdown b) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode opt = f.objectNode();
    opt.putObject("tooltip").put("trigger", "axis");
    opt.putObject("grid").put("left", 60).put("right", 20).put("top", 20).put("bottom", 60);
    ObjectNode x = opt.putObject("xAxis").put("type", "category");
    x.putObject("axisLabel").put("rotate", 30);
    ArrayNode names = x.putArray("data");
    opt.putObject("yAxis").put("type", "value");
    ObjectNode series = opt.putArray("series").addObject().put("type", "bar").put("name", b.by());
    boolean histogram = b.buckets().stream().anyMatch(k -> k.from() != null);
    if (histogram) {
      series.put("barCategoryGap", "2%");
    }
    ArrayNode data = series.putArray("data");
    for (AudienceEngine.Bucket k : b.buckets()) {
      names.add(histogram ? k.from() + " – " + k.to() : String.valueOf(k.value()));
      data.add(k.count());
    }
    if (b.other() > 0) {
      names.add("other");
      data.add(b.other());
    }
    if (b.nulls() > 0) {
      names.add("(no value)");
      data.add(b.nulls());
    }
    return opt;
  }

  /** Stops what runs, quietly: the builder was closed. */
  void cancel() {
    overlap.cancel();
    breakdown.cancel();
  }
}
