package io.customerstudio.app.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._find;
import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.mvysny.kaributesting.v10.ButtonKt;
import com.github.mvysny.kaributesting.v10.ComboBoxKt;
import com.github.mvysny.kaributesting.v10.HasValueUtilsKt;
import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.NumberField;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.audiences.ui.AudienceEditorView;
import io.customerstudio.app.templates.TemplateService;
import io.customerstudio.query.engine.AudienceEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The audience builder driven through its components, as a person would: every condition type
 * produces exactly the JSON of the spec, the live size matches the engine, and any valid definition
 * loads and saves back unchanged.
 */
class AudienceBuilderViewTest extends KaribuTestSupport {

  static final ObjectMapper JSON = new ObjectMapper();

  @Autowired AudienceService audiences;
  @Autowired TemplateService templates;

  @BeforeEach
  void loginAndFixtures() throws Exception {
    login("admin");
    if (audiences.list(null).stream().noneMatch(a -> a.key().equals("ui-germans"))) {
      audiences.create(
          "ui-germans",
          "Germans",
          null,
          JSON.readTree(
              "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"DE\"}}"),
          "admin");
    }
    templates.save(
        "ui-big-spenders",
        "Big spenders",
        null,
        List.of("min"),
        JSON.readTree(
            "{\"type\": \"trait\", \"trait\": \"lifetime_value\", \"op\": \"gte\", \"value\": {\"param\": \"min\"}}"),
        "admin");
  }

  @Test
  void everyConditionTypeBuildsTheSpecJson() throws Exception {
    UI.getCurrent().navigate("audiences/edit");
    AudienceEditorView view = _get(AudienceEditorView.class);

    // property: country is one of DE, FR (values come from the column's distinct values)
    click("add-property");
    Component property = last("condition-property");
    choose(property, "column", "country · string");
    choose(property, "op", "is one of");
    MultiSelectComboBox<String> values = in(property, MultiSelectComboBox.class, "value");
    assertThat(values.getListDataView().getItems()).contains("DE", "FR");
    HasValueUtilsKt._setValue(values, Set.of("DE"));

    // a subgroup with OR: trait, NOT relation aggregate, event count in a window
    click("add-and");
    Component group = _find(Div.class, s -> s.withClasses("condition-group")).get(1);
    choose(group, "combinator", "ANY of these holds (OR)");
    addTo(group, "add-trait");
    Component trait = last("condition-trait");
    choose(trait, "trait", "lifetime_value · number");
    choose(trait, "op", "greater than");
    HasValueUtilsKt._setValue(in(trait, NumberField.class, "value"), 1000.0);

    addTo(group, "add-relation");
    Component relation = last("condition-relation");
    choose(relation, "relationship", "purchases (purchases)");
    HasValueUtilsKt._setValue(in(relation, Checkbox.class, "where-toggle"), true);
    Component where = in(relation, Div.class, "where-body");
    ButtonKt._click(_get(where, Button.class, s -> s.withClasses("add-property")));
    Component status = last("condition-property");
    choose(status, "column", "status · string");
    choose(status, "op", "is");
    choose(status, "value", "paid");
    choose(relation, "function", "sum of");
    choose(relation, "aggregate-column", "amount · number");
    Component aggregate = in(relation, Component.class, "aggregate");
    choose(aggregate, "op", "at least");
    HasValueUtilsKt._setValue(in(aggregate, NumberField.class, "value"), 500.0);
    Component relationFrame = frameOf(relation);
    // the frame's own NOT comes first; the where's rows have theirs further down
    HasValueUtilsKt._setValue(
        _find(relationFrame, Checkbox.class, s -> s.withClasses("not-toggle")).get(0), true);

    addTo(group, "add-event");
    Component event = last("condition-event");
    choose(event, "event-type", "page_view");
    choose(event, "window-kind", "within the last");
    HasValueUtilsKt._setValue(in(event, IntegerField.class, "amount"), 2);
    choose(event, "unit", "weeks");
    choose(event, "count-op", "at least");
    HasValueUtilsKt._setValue(in(event, IntegerField.class, "count-value"), 3);

    // audience membership and a template with its parameter, back at the top level
    click("add-audience");
    Component audience = last("condition-audience");
    choose(audience, "membership", "is not a member of");
    choose(audience, "audience-ref", "Germans · ui-germans");
    click("add-template");
    Component template = last("condition-template");
    choose(template, "template-ref", "Big spenders · ui-big-spenders");
    HasValueUtilsKt._setValue(in(template, NumberField.class, "template-param"), 250.0);

    // did not perform, with a where on the event's properties
    click("add-event");
    Component never = last("condition-event");
    choose(never, "event-type", "email_opened");
    choose(never, "count-op", "did not perform it");
    choose(never, "window-kind", "between");

    JsonNode expected =
        JSON.readTree(
            """
            {"parent": "users", "filter": {"type": "and", "conditions": [
              {"type": "property", "column": "country", "op": "in", "value": ["DE"]},
              {"type": "or", "conditions": [
                {"type": "trait", "trait": "lifetime_value", "op": "gt", "value": 1000},
                {"type": "not", "condition": {"type": "relation", "relationship": "purchases",
                  "where": {"type": "and", "conditions": [{"type": "property", "column": "status", "op": "eq", "value": "paid"}]},
                  "aggregate": {"function": "sum", "column": "amount", "op": "gte", "value": 500}}},
                {"type": "event", "event": "events", "eventType": "page_view",
                  "window": {"withinLast": {"amount": 2, "unit": "week"}}, "count": {"op": "gte", "value": 3}}]},
              {"type": "audience", "op": "not_member", "audience": "ui-germans"},
              {"type": "template", "template": "ui-big-spenders", "params": {"min": 250}},
              {"type": "event", "event": "events", "eventType": "email_opened",
                "count": {"op": "eq", "value": 0}, "window": {"between": [null, null]}}]}}""");
    assertThat(JSON.readTree(view.definitionJson().toString())).isEqualTo(expected);

    // the between window still needs its times: the row says so, and no size is shown
    awaitSizeSettled();
    assertThat(_get(Span.class, s -> s.withId("audience-size")).getText()).isEqualTo("–");
    assertThat(
            _find(Span.class, s -> s.withClasses("condition-error")).stream()
                .filter(Component::isVisible)
                .map(Span::getText))
        .isNotEmpty();

    // removing it leaves a valid audience whose live size is the engine's count
    List<Button> removes =
        _find(frameOf(never), Button.class, s -> s.withClasses("remove-condition"));
    ButtonKt._click(removes.get(removes.size() - 1));
    awaitSizeSettled();
    long engine =
        audiences
            .preview(
                new AudienceService.Target(view.definitionJson(), null), null, null, 0, List.of())
            .count();
    assertThat(
            _get(Span.class, s -> s.withId("audience-size"))
                .getElement()
                .getAttribute("data-count"))
        .isEqualTo(String.valueOf(engine));

    // saved as typed
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("audience-name")), "Every type");
    assertThat(_get(TextField.class, s -> s.withId("audience-key")).getValue())
        .isEqualTo("every-type");
    ButtonKt._click(_get(Button.class, s -> s.withId("audience-save")));
    assertThat(audiences.get("every-type").definition()).isEqualTo(view.definitionJson());
  }

  @Test
  void sampledSizeIsLabelledAsAnEstimate() throws Exception {
    UI.getCurrent().navigate("audiences/edit/ui-germans");
    awaitSizeSettled();
    HasValueUtilsKt._setValue(_get(Checkbox.class, s -> s.withId("size-sampled")), true);
    awaitSizeSettled();
    Span size = _get(Span.class, s -> s.withId("audience-size"));
    assertThat(size.getElement().getAttribute("data-estimated")).isEqualTo("true");
    assertThat(_get(Span.class, s -> s.withId("audience-size-caption")).getText())
        .startsWith("estimated members (from a 1% sample");
    AudienceEngine.Preview engine =
        audiences.preview(
            new AudienceService.Target(null, "ui-germans"),
            null,
            new AudienceEngine.Sampling(1, 42),
            0,
            List.of());
    assertThat(size.getElement().getAttribute("data-count"))
        .isEqualTo(String.valueOf(engine.count()));
  }

  static Stream<Path> corpus() throws IOException {
    return Files.list(Path.of("src/test/resources/builder-corpus")).sorted();
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void anyValidDefinitionLoadsAndSavesBackUnchanged(Path file) throws Exception {
    String key = "corpus-" + file.getFileName().toString().replace(".json", "");
    JsonNode definition = JSON.readTree(file.toFile());
    if (audiences.list(null).stream().noneMatch(a -> a.key().equals(key))) {
      audiences.create(key, key, null, definition, "admin");
    }
    JsonNode stored = audiences.get(key).definition();
    int version = audiences.get(key).version();

    UI.getCurrent().navigate("audiences/edit/" + key);
    AudienceEditorView view = _get(AudienceEditorView.class);
    assertThat(_find(Component.class, s -> s.withClasses("condition-unknown"))).isEmpty();
    assertThat(view.definitionJson()).isEqualTo(stored);
    ButtonKt._click(_get(Button.class, s -> s.withId("audience-save")));
    assertThat(audiences.get(key).version()).isEqualTo(version + 1);
    assertThat(audiences.get(key).definition()).isEqualTo(stored);
  }

  // ---------------------------------------------------------------- helpers

  private static void click(String cls) {
    click(cls, -1);
  }

  /**
   * Clicks an add button: the last one shown (-1, the root group's, which comes last) or another.
   */
  private static void click(String cls, int index) {
    List<Button> buttons = _find(Button.class, s -> s.withClasses(cls));
    ButtonKt._click(buttons.get(index < 0 ? buttons.size() - 1 : index));
  }

  /** Picks an option by its caption in the Select or ComboBox with this class under parent. */
  @SuppressWarnings("unchecked")
  private static void choose(Component parent, String cls, String label) {
    Component c = _get(parent, Component.class, s -> s.withClasses(cls));
    if (c instanceof Select<?> select) {
      ComboBoxKt.selectByLabel((Select<Object>) select, label);
    } else {
      ComboBoxKt.selectByLabel((ComboBox<Object>) c, label);
    }
  }

  /** Clicks an add button of a group's own bar: the last of its kind, after nested groups'. */
  private static void addTo(Component group, String cls) {
    List<Button> buttons = _find(group, Button.class, s -> s.withClasses(cls));
    ButtonKt._click(buttons.get(buttons.size() - 1));
  }

  private static Component last(String cls) {
    List<Component> found = _find(Component.class, s -> s.withClasses(cls));
    return found.get(found.size() - 1);
  }

  @SuppressWarnings("unchecked")
  private static <T extends Component> T in(Component parent, Class<?> type, String cls) {
    return (T) _get(parent, (Class<T>) type, s -> s.withClasses(cls));
  }

  private static Component frameOf(Component row) {
    Component c = row;
    while (!c.getClassNames().contains("condition-row")) {
      c = c.getParent().orElseThrow();
    }
    return c;
  }

  private static void awaitSizeSettled() {
    awaitUi(
        () ->
            "idle"
                .equals(
                    _get(Div.class, s -> s.withId("size-panel"))
                        .getElement()
                        .getAttribute("data-state")));
  }
}
