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
import io.customerstudio.app.base.ui.Times;
import io.customerstudio.app.conditions.ui.ConditionText;
import io.customerstudio.query.engine.AudienceEngine;
import java.text.NumberFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The compiled SQL, and on request how each top-level condition shapes the audience, in a
 * marketer's words: under "all of", the members left after each condition (and whom it removes);
 * under "any of", the members so far and whom each condition adds. Explain counts at the same
 * moment as the live size beside the builder, so relative windows ("in the last 30 days") agree;
 * when the two still differ, the warehouse's data changed in between, and the panel says so.
 */
final class ExplainPanel extends VerticalLayout {

  /** What an explain showed, one row per top-level condition. */
  record Row(String condition, long members, Long change) {}

  private final Pre sql = new Pre();
  private final H4 heading = new H4("How each condition shapes the audience");
  private final Paragraph intro = new Paragraph();
  private final Chart funnel = new Chart();
  private final Grid<Row> steps = new Grid<>();
  private final Paragraph status = new Paragraph();
  private final ProgressBar progress = new ProgressBar();
  private final Computation<Explained> computation;

  /** An explanation with the definition and moment it was computed for. */
  private record Explained(AudienceEngine.Explanation x, JsonNode definition, Instant asOf) {}

  ExplainPanel(
      AudienceService audiences,
      PreviewRunner runner,
      Supplier<JsonNode> definition,
      Supplier<SizePanel.Counted> liveSize) {
    setPadding(false);
    sql.setId("audience-sql");
    sql.addClassName("sql");
    heading.setId("explain-heading");
    intro.setId("explain-intro");
    intro.setText(
        "Explain counts the members after each top-level condition, so you see which condition"
            + " narrows or widens the audience most.");
    funnel.setId("explain-funnel");
    funnel.setVisible(false);
    funnel.setHeight("260px");
    steps.setId("explain-steps");
    steps.addThemeVariants(GridVariant.LUMO_COMPACT);
    steps.addColumn(Row::condition).setHeader("Condition").setFlexGrow(3).setKey("condition");
    steps.addColumn(r -> fmt(r.members())).setHeader("Members").setFlexGrow(1).setKey("members");
    steps
        .addColumn(r -> r.change() == null ? "" : fmt(r.change()))
        .setHeader("Change")
        .setFlexGrow(1)
        .setKey("change");
    steps.setAllRowsVisible(true);
    steps.setVisible(false);
    progress.setIndeterminate(true);
    progress.setVisible(false);
    status.setId("explain-status");
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
              public void done(Explained e) {
                progress.setVisible(false);
                sql.setText(e.x().sql());
                show(e, liveSize.get());
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
            e -> {
              JsonNode snapshot = definition.get().deepCopy();
              SizePanel.Counted live = liveSize.get();
              // the live size's moment, when it counted this very definition: both then agree
              Instant asOf =
                  live != null && live.definition().equals(snapshot)
                      ? live.asOf()
                      : audiences.now();
              computation.start(
                  UI.getCurrent(),
                  Duration.ZERO,
                  h ->
                      new Explained(
                          audiences.explain(new AudienceService.Target(snapshot, null), asOf, h),
                          snapshot,
                          asOf));
            });
    explain.setId("explain");
    Button stop = new Button("Stop", e -> computation.stop());
    add(
        new H4("SQL"),
        sql,
        heading,
        intro,
        new HorizontalLayout(explain, stop),
        progress,
        status,
        funnel,
        steps);
  }

  void setSql(String text) {
    sql.setText(text);
  }

  private void show(Explained e, SizePanel.Counted live) {
    JsonNode filter = e.definition().path("filter");
    String type = filter.path("type").asText("");
    boolean and = type.equals("and");
    List<Row> rows = rows(e.x().steps(), filter, and);
    if (rows.isEmpty()) {
      heading.setText("How each condition shapes the audience");
      intro.setText(
          "Explain breaks down a top-level \"all of\" or \"any of\" group of 2 to 20 conditions;"
              + " this audience is not one, so there is only its total.");
    } else if (and) {
      heading.setText("Members left after each condition");
      intro.setText(
          "All of these conditions must hold. Each row counts the members who meet that condition"
              + " and every one above it, so the audience narrows as you go down; \"Change\" is"
              + " how many members that condition removes.");
    } else {
      heading.setText("Members gained by each condition");
      intro.setText(
          "Any of these conditions is enough. Each row counts the members who meet that condition"
              + " or one above it, so the audience grows as you go down; \"Change\" is how many"
              + " members that condition adds that the ones above did not already include.");
    }
    steps.getColumnByKey("members").setHeader(and ? "Members left" : "Members so far");
    steps.getColumnByKey("change").setHeader(and ? "Removed by it" : "Gained by it");
    steps.setItems(rows);
    steps.setVisible(!rows.isEmpty());
    funnel.setOption(option(rows, and ? "members left" : "members so far"));
    funnel.setVisible(!rows.isEmpty());

    StringBuilder s =
        new StringBuilder(fmt(e.x().count()))
            .append(" members, counted as of ")
            .append(Times.second(e.asOf()))
            .append(" UTC.");
    if (live != null
        && !live.estimated()
        && live.definition().equals(e.definition())
        && live.asOf().equals(e.asOf())
        && live.count() != e.x().count()) {
      s.append(" The size beside the builder says ")
          .append(fmt(live.count()))
          .append(": both count at the same moment, so the warehouse's data changed between the")
          .append(" two counts. Edit or reopen the audience to count again.");
    }
    status.setText(s.toString());
  }

  /** One row per step, labelled with the condition's sentence, with what it removed or added. */
  static List<Row> rows(List<AudienceEngine.Step> steps, JsonNode filter, boolean and) {
    List<Row> rows = new ArrayList<>();
    JsonNode children = filter.path("conditions");
    Long previous = null;
    for (int i = 0; i < steps.size(); i++) {
      AudienceEngine.Step step = steps.get(i);
      JsonNode child = children.get(i);
      String label = child == null ? step.label() : ConditionText.sentence(child);
      Long change;
      if (previous == null) {
        change = and ? null : step.count();
      } else {
        change = and ? previous - step.count() : step.count() - previous;
      }
      rows.add(new Row(label, step.count(), change));
      previous = step.count();
    }
    return rows;
  }

  static ObjectNode option(List<Row> rows, String series) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode o = f.objectNode();
    o.putObject("tooltip").put("trigger", "axis");
    o.putObject("grid").put("left", 220).put("right", 40).put("top", 10).put("bottom", 20);
    o.putObject("xAxis").put("type", "value");
    ObjectNode y = o.putObject("yAxis");
    y.put("type", "category");
    y.put("inverse", true);
    ArrayNode labels = y.putArray("data");
    ObjectNode bars = o.putArray("series").addObject();
    bars.put("type", "bar");
    bars.put("name", series);
    bars.putObject("label").put("show", true).put("position", "right");
    ArrayNode data = bars.putArray("data");
    List<String> seen = new ArrayList<>();
    for (Row r : rows) {
      String label =
          r.condition().length() > 40 ? r.condition().substring(0, 39) + "…" : r.condition();
      while (seen.contains(label)) {
        label = label + " ";
      }
      seen.add(label);
      labels.add(label);
      data.add(r.members());
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
