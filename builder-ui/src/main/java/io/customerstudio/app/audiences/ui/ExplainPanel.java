package io.customerstudio.app.audiences.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.progressbar.ProgressBar;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.audiences.PreviewRunner;
import io.customerstudio.app.base.ui.Chart;
import io.customerstudio.query.engine.AudienceEngine;
import java.text.NumberFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The compiled SQL, and on request the explain funnel: the members left after each top-level
 * condition, so a marketer sees which condition removes whom, plus the warehouse's plan cost.
 */
final class ExplainPanel extends VerticalLayout {

  private final Pre sql = new Pre();
  private final Chart funnel = new Chart();
  private final Grid<AudienceEngine.Step> steps = new Grid<>();
  private final Paragraph status = new Paragraph();
  private final ProgressBar progress = new ProgressBar();
  private final Computation<AudienceEngine.Explanation> computation;

  ExplainPanel(AudienceService audiences, PreviewRunner runner, Supplier<JsonNode> definition) {
    setPadding(false);
    sql.setId("audience-sql");
    sql.addClassName("sql");
    funnel.setId("explain-funnel");
    funnel.setVisible(false);
    funnel.setHeight("260px");
    steps.setId("explain-steps");
    steps.addThemeVariants(GridVariant.LUMO_COMPACT);
    steps.addColumn(AudienceEngine.Step::label).setHeader("After").setFlexGrow(3);
    steps.addColumn(s -> fmt(s.count())).setHeader("Members left").setFlexGrow(1);
    steps.setAllRowsVisible(true);
    steps.setVisible(false);
    progress.setIndeterminate(true);
    progress.setVisible(false);
    status.setText("Run explain to see how many members are left after each top-level condition.");
    computation =
        new Computation<>(
            runner,
            new Computation.Listener<>() {
              @Override
              public void started() {
                progress.setVisible(true);
                status.setText("Explaining…");
              }

              @Override
              public void done(AudienceEngine.Explanation x) {
                progress.setVisible(false);
                sql.setText(x.sql());
                status.setText(
                    fmt(x.count())
                        + " members. Warehouse plan cost "
                        + String.format(Locale.ENGLISH, "%.0f", x.cost())
                        + ", estimated rows "
                        + String.format(Locale.ENGLISH, "%.0f", x.estimatedRows())
                        + ".");
                steps.setItems(x.steps());
                steps.setVisible(!x.steps().isEmpty());
                funnel.setOption(option(x.steps()));
                funnel.setVisible(!x.steps().isEmpty());
              }

              @Override
              public void invalid(List<ApiException.FieldError> problems) {
                progress.setVisible(false);
                status.setText(
                    "Fix the conditions first: "
                        + String.join(
                            "; ",
                            problems.stream().map(ApiException.FieldError::message).toList()));
              }

              @Override
              public void failed(String message) {
                progress.setVisible(false);
                status.setText(message);
              }
            });
    Button explain =
        new Button(
            "Explain",
            VaadinIcon.FUNNEL.create(),
            e ->
                computation.start(
                    UI.getCurrent(),
                    Duration.ZERO,
                    h ->
                        audiences.explain(
                            new AudienceService.Target(definition.get().deepCopy(), null),
                            null,
                            h)));
    explain.setId("explain");
    Button stop = new Button("Stop", e -> computation.stop());
    add(
        new H4("SQL"),
        sql,
        new H4("Who each condition removes"),
        new HorizontalLayout(explain, stop),
        progress,
        status,
        funnel,
        steps);
  }

  void setSql(String text) {
    sql.setText(text);
  }

  static ObjectNode option(List<AudienceEngine.Step> steps) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode o = f.objectNode();
    o.putObject("tooltip").put("trigger", "axis");
    o.putObject("grid").put("left", 220).put("right", 40).put("top", 10).put("bottom", 20);
    o.putObject("xAxis").put("type", "value");
    ObjectNode y = o.putObject("yAxis");
    y.put("type", "category");
    y.put("inverse", true);
    ArrayNode labels = y.putArray("data");
    ObjectNode series = o.putArray("series").addObject();
    series.put("type", "bar");
    series.put("name", "members left");
    series.putObject("label").put("show", true).put("position", "right");
    ArrayNode data = series.putArray("data");
    List<String> seen = new ArrayList<>();
    for (AudienceEngine.Step s : steps) {
      String label = s.label().length() > 40 ? s.label().substring(0, 39) + "…" : s.label();
      while (seen.contains(label)) {
        label = label + " ";
      }
      seen.add(label);
      labels.add(label);
      data.add(s.count());
    }
    return o;
  }

  private static String fmt(long n) {
    return NumberFormat.getIntegerInstance(Locale.ENGLISH).format(n);
  }

  /** Stops what runs, quietly: the builder was closed. */
  void cancel() {
    computation.cancel();
  }
}
