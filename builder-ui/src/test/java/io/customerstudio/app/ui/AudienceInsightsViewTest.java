package io.customerstudio.app.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._find;
import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.mvysny.kaributesting.v10.ButtonKt;
import com.github.mvysny.kaributesting.v10.ComboBoxKt;
import com.github.mvysny.kaributesting.v10.GridKt;
import com.github.mvysny.kaributesting.v10.HasValueUtilsKt;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.tabs.TabSheet;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.base.ui.Chart;
import io.customerstudio.query.engine.AudienceEngine;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The tabs below the builder, checked against the engine: the members page, the SQL and the explain
 * funnel, the overlap and breakdown charts (their echarts options), and the list search.
 */
class AudienceInsightsViewTest extends KaribuTestSupport {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String OR =
      "{\"parent\": \"users\", \"filter\": {\"type\": \"and\", \"conditions\": ["
          + "{\"type\": \"property\", \"column\": \"country\", \"op\": \"in\", \"value\": [\"DE\", \"FR\"]},"
          + "{\"type\": \"property\", \"column\": \"loyalty_member\", \"op\": \"is_true\"}]}}";

  @Autowired AudienceService audiences;

  @BeforeEach
  void fixtures() throws Exception {
    login("admin");
    if (audiences.list(null).stream().noneMatch(a -> a.key().equals("in-loyal-de-fr"))) {
      audiences.create("in-loyal-de-fr", "Loyal in DE or FR", null, JSON.readTree(OR), "admin");
      audiences.create(
          "in-french",
          "French",
          null,
          JSON.readTree(
              "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"FR\"}}"),
          "admin");
    }
  }

  @Test
  void membersSqlAndExplainFunnel() throws Exception {
    UI.getCurrent().navigate("audiences/edit/in-loyal-de-fr");
    Grid<?> members = _get(Grid.class, s -> s.withId("members"));
    awaitUi(
        () ->
            "idle"
                    .equals(
                        _get(com.vaadin.flow.component.html.Div.class, s -> s.withId("size-panel"))
                            .getElement()
                            .getAttribute("data-state"))
                && GridKt._size(members) > 0);
    AudienceEngine.Preview engine =
        audiences.preview(
            new AudienceService.Target(null, "in-loyal-de-fr"), null, null, 100, List.of());
    assertThat(GridKt._size(members)).isEqualTo(Math.min(100, (int) engine.count()));
    assertThat(GridKt._getFormattedRow(members, 0).get(0))
        .isEqualTo(String.valueOf(engine.sample().get(0).get("user_id")));

    TabSheet tabs = _get(TabSheet.class, s -> s.withId("audience-tabs"));
    tabs.setSelectedIndex(1);
    assertThat(_get(Pre.class, s -> s.withId("audience-sql")).getText()).startsWith("select");
    ButtonKt._click(_get(Button.class, s -> s.withId("explain")));
    awaitUi(() -> !_find(Grid.class, s -> s.withId("explain-steps")).isEmpty());
    Grid<?> steps = _get(Grid.class, s -> s.withId("explain-steps"));
    assertThat(GridKt._size(steps)).isEqualTo(2);
    AudienceEngine.Explanation x =
        audiences.explain(new AudienceService.Target(null, "in-loyal-de-fr"), null);
    // under "all of": members left after each condition, named as the builder reads them, and
    // how many each one removes
    assertThat(_get(H4.class, s -> s.withId("explain-heading")).getText())
        .isEqualTo("Members left after each condition");
    assertThat(GridKt._getFormattedRow(steps, 0).get(0)).isEqualTo("country is one of DE, FR");
    assertThat(GridKt._getFormattedRow(steps, 1))
        .containsExactly(
            "loyalty_member is true",
            fmt(x.steps().get(1).count()),
            fmt(x.steps().get(0).count() - x.steps().get(1).count()));
    JsonNode funnel = _get(Chart.class, s -> s.withId("explain-funnel")).getOption();
    assertThat(funnel.at("/series/0/data/0").asLong()).isEqualTo(x.steps().get(0).count());
    assertThat(funnel.at("/series/0/data/1").asLong()).isEqualTo(x.count());
    // no planner figures for a marketer
    assertThat(_get(Paragraph.class, s -> s.withId("explain-status")).getText())
        .startsWith(fmt(x.count()) + " members, counted as of ")
        .doesNotContain("cost", "estimated rows");
  }

  @Test
  void explainOfAnOrSaysWhomEachConditionAddsAndEndsAtTheLiveSize() throws Exception {
    if (audiences.list(null).stream().noneMatch(a -> a.key().equals("in-any-of"))) {
      audiences.create(
          "in-any-of",
          "Rich, loyal or recent",
          null,
          JSON.readTree(
              """
              {"parent": "users", "filter": {"type": "or", "conditions": [
                {"type": "trait", "trait": "lifetime_value", "op": "gt", "value": 1000},
                {"type": "property", "column": "loyalty_member", "op": "is_true"},
                {"type": "property", "column": "signup_at", "op": "within_last",
                 "value": {"amount": 90, "unit": "day"}}]}}"""),
          "admin");
    }
    UI.getCurrent().navigate("audiences/edit/in-any-of");
    awaitUi(
        () ->
            "idle"
                .equals(
                    _get(com.vaadin.flow.component.html.Div.class, s -> s.withId("size-panel"))
                        .getElement()
                        .getAttribute("data-state")));
    String live =
        _get(com.vaadin.flow.component.html.Span.class, s -> s.withId("audience-size"))
            .getElement()
            .getAttribute("data-count");
    _get(TabSheet.class, s -> s.withId("audience-tabs")).setSelectedIndex(1);
    ButtonKt._click(_get(Button.class, s -> s.withId("explain")));
    awaitUi(() -> !_find(Grid.class, s -> s.withId("explain-steps")).isEmpty());

    assertThat(_get(H4.class, s -> s.withId("explain-heading")).getText())
        .isEqualTo("Members gained by each condition");
    Grid<?> steps = _get(Grid.class, s -> s.withId("explain-steps"));
    assertThat(GridKt._size(steps)).isEqualTo(3);
    List<List<String>> rows =
        java.util.stream.IntStream.range(0, 3)
            .mapToObj(i -> GridKt._getFormattedRow(steps, i))
            .toList();
    assertThat(rows.stream().map(r -> r.get(0)))
        .containsExactly(
            "lifetime_value greater than 1000",
            "loyalty_member is true",
            "signup_at within the last 90 days");
    // what each adds sums to the audience, and the last row is the size beside the builder:
    // both counted at the same moment, so a "last 90 days" window agrees
    long gained = rows.stream().mapToLong(r -> parse(r.get(2))).sum();
    assertThat(parse(rows.get(2).get(1))).isEqualTo(gained).isEqualTo(Long.parseLong(live));
    assertThat(_get(Paragraph.class, s -> s.withId("explain-status")).getText())
        .startsWith(fmt(Long.parseLong(live)) + " members, counted as of ")
        .doesNotContain("size beside the builder says");
  }

  @Test
  void aProfileShowsTimesToTheSecondAndEventPropertiesAsPairs() {
    UI.getCurrent().navigate("audiences/edit/in-loyal-de-fr");
    Grid<?> members = _get(Grid.class, s -> s.withId("members"));
    awaitUi(() -> GridKt._size(members) > 0);
    GridKt._clickItem(members, 0);
    _get(com.vaadin.flow.component.dialog.Dialog.class, s -> s.withId("profile-drawer"));

    List<String> times =
        _find(com.vaadin.flow.component.html.Span.class, s -> s.withClasses("timeline-time"))
            .stream()
            .map(com.vaadin.flow.component.html.Span::getText)
            .toList();
    assertThat(times)
        .isNotEmpty()
        .allMatch(t -> t.matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}"));
    List<String> details =
        _find(com.vaadin.flow.component.html.Span.class, s -> s.withClasses("timeline-details"))
            .stream()
            .map(com.vaadin.flow.component.html.Span::getText)
            .toList();
    // the events' properties (jsonb) read as "key: value", not as JSON
    assertThat(details).isNotEmpty().noneMatch(d -> d.contains("{") || d.contains("properties:"));
    assertThat(String.join(" ", details)).contains(": ");
    List<String> facts =
        _find(com.vaadin.flow.component.html.Span.class, s -> s.withClasses("fact-value")).stream()
            .map(com.vaadin.flow.component.html.Span::getText)
            .toList();
    // signup_at, a timestamptz, without microseconds or a "T"
    assertThat(facts).anyMatch(f -> f.matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}"));
    assertThat(facts).noneMatch(f -> f.matches("\\d{4}-\\d{2}-\\d{2}T.*"));
  }

  private static String fmt(long n) {
    return String.format(java.util.Locale.ENGLISH, "%,d", n);
  }

  private static long parse(String formatted) {
    return Long.parseLong(formatted.replace(",", ""));
  }

  @Test
  void overlapAndBreakdownChartsCarryTheEngineNumbers() throws Exception {
    UI.getCurrent().navigate("audiences/edit/in-loyal-de-fr");
    _get(TabSheet.class, s -> s.withId("audience-tabs")).setSelectedIndex(2);
    @SuppressWarnings("unchecked")
    MultiSelectComboBox<AudienceService.AudienceView> others =
        _get(MultiSelectComboBox.class, s -> s.withId("overlap-audiences"));
    AudienceService.AudienceView french =
        others
            .getListDataView()
            .getItems()
            .filter(a -> a.key().equals("in-french"))
            .findFirst()
            .orElseThrow();
    HasValueUtilsKt._setValue(others, Set.of(french));
    ButtonKt._click(_get(Button.class, s -> s.withId("overlap-compare")));
    awaitUi(() -> !_find(Chart.class, s -> s.withId("overlap-chart")).isEmpty());
    Chart overlap = _get(Chart.class, s -> s.withId("overlap-chart"));
    AudienceEngine.Overlap o = audiences.overlap(List.of("in-loyal-de-fr", "in-french"), null);
    // this audience's French members are the French loyal members
    assertThat(overlap.getOption().at("/series/1/data/1").asLong())
        .isEqualTo(o.pairs().get(0).both());
    assertThat(overlap.getOption().at("/series/0/data/1").asLong())
        .isEqualTo(o.sizes().get("in-french"));

    ComboBox<?> by = _get(ComboBox.class, s -> s.withId("breakdown-by"));
    ComboBoxKt.selectByLabel(by, "lifetime_value (trait) · number");
    ButtonKt._click(_get(Button.class, s -> s.withId("breakdown-show")));
    awaitUi(() -> !_find(Chart.class, s -> s.withId("breakdown-chart")).isEmpty());
    Chart breakdown = _get(Chart.class, s -> s.withId("breakdown-chart"));
    AudienceEngine.Breakdown b =
        audiences.breakdown(
            new AudienceService.Target(null, "in-loyal-de-fr"), null, "lifetime_value", null, 10);
    long charted = 0;
    for (JsonNode v : breakdown.getOption().at("/series/0/data")) {
      charted += v.asLong();
    }
    assertThat(charted).isEqualTo(b.total());
    assertThat(breakdown.getOption().at("/series/0/barCategoryGap").asText()).isEqualTo("2%");
  }

  @Test
  void listIsSearchable() {
    UI.getCurrent().navigate("audiences");
    TextField search = _get(TextField.class, s -> s.withId("audience-search"));
    HasValueUtilsKt._setValue(search, "french");
    Grid<?> grid = _get(Grid.class, s -> s.withId("audiences"));
    assertThat(GridKt._size(grid)).isEqualTo(1);
    assertThat(GridKt._getFormattedRow(grid, 0).get(1)).isEqualTo("in-french");
    HasValueUtilsKt._setValue(search, "no such audience anywhere");
    assertThat(GridKt._size(grid)).isZero();
    assertThat(
            _find(com.vaadin.flow.component.html.Paragraph.class, s -> s.withId("audiences-empty")))
        .singleElement()
        .satisfies(p -> assertThat(p.getText()).contains("No audience matches"));
  }
}
