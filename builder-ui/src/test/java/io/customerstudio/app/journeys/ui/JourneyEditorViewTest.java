package io.customerstudio.app.journeys.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._assertNone;
import static com.github.mvysny.kaributesting.v10.LocatorJ._click;
import static com.github.mvysny.kaributesting.v10.LocatorJ._find;
import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.mvysny.kaributesting.v10.ComboBoxKt;
import com.github.mvysny.kaributesting.v10.ElementUtilsKt;
import com.github.mvysny.kaributesting.v10.GridKt;
import com.github.mvysny.kaributesting.v10.HasValueUtilsKt;
import com.github.mvysny.kaributesting.v10.MockVaadin;
import com.github.mvysny.kaributesting.v10.NotificationsKt;
import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.ComponentUtil;
import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.PollEvent;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H5;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.radiobutton.RadioButtonGroup;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.tabs.Tabs;
import com.vaadin.flow.component.textfield.BigDecimalField;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.dom.DomEvent;
import com.vaadin.flow.router.QueryParameters;
import elemental.json.Json;
import elemental.json.JsonObject;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.conditions.ui.ConditionBuilder;
import io.customerstudio.app.destinations.DestinationService;
import io.customerstudio.app.journeys.JourneyDefinitions;
import io.customerstudio.app.journeys.JourneyDefinitions.Position;
import io.customerstudio.app.journeys.JourneyInsights;
import io.customerstudio.app.ui.KaribuTestSupport;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.query.Problem;
import io.customerstudio.query.audience.Op;
import io.customerstudio.query.schema.Column;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The journey canvas without a browser, on the real services and store: the spec's journey opened,
 * clicked through and saved back unchanged, its one problem on the entry node, in the summary and
 * on the panel's field; every node type's panel edited through its components and read back from
 * the stored draft; canvas edits (add, connect, delete through the canvas's own events) with undo
 * and redo; the publish dialog's two questions; the live counts, people at a node, a person's path
 * and a split's holdout log over rows written as the engine writes them; the versions' readable
 * diff; and a simulation over an audience of the demo warehouse shown on the canvas.
 */
class JourneyEditorViewTest extends KaribuTestSupport {

  static final ObjectMapper JSON = new ObjectMapper();
  static final OffsetDateTime T0 = OffsetDateTime.parse("2026-12-01T10:00:00Z");

  /** Destinations of the spec's example under names no other test class creates. */
  static final String ESP = "jev-esp-hook";

  static final String ADS = "jev-ads-hook";

  @Autowired JourneyDefinitions definitions;
  @Autowired DestinationService destinations;
  @Autowired AudienceService audiences;
  @Autowired DSLContext store;
  @Autowired Warehouse warehouse;

  @BeforeEach
  void fixtures() {
    login("admin");
    for (String key : List.of(ESP, ADS)) {
      if (destinations.list().stream().noneMatch(d -> d.key().equals(key))) {
        destinations.create(
            key,
            "Journey " + key,
            "file",
            JsonNodeFactory.instance
                .objectNode()
                .put("directory", "journeys-" + key)
                .put("format", "csv"),
            "admin");
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  /** The spec's abandoned-cart example, with this key and its destinations renamed. */
  static ObjectNode spec(String key) throws Exception {
    ObjectNode doc =
        (ObjectNode)
            JSON.readTree(
                JourneyEditorViewTest.class.getResourceAsStream("/journeys/abandoned-cart.json"));
    doc.put("key", key);
    for (JsonNode n : doc.get("nodes")) {
      if (n.has("destination")) {
        ((ObjectNode) n)
            .put("destination", n.get("destination").asText().equals("esp-hook") ? ESP : ADS);
      }
    }
    return doc;
  }

  static ObjectNode parse(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  void create(ObjectNode doc) {
    if (definitions.list().stream().noneMatch(j -> j.key().equals(doc.get("key").asText()))) {
      definitions.create(doc, "admin");
    }
  }

  static JourneyEditorView open(String key) {
    UI.getCurrent().navigate("journeys/" + key);
    return _get(JourneyEditorView.class);
  }

  JsonNode stored(String key) {
    return definitions.find(key).draft();
  }

  static JsonNode graph(JourneyEditorView view) {
    return parse(view.canvas().graph());
  }

  static JsonNode node(JsonNode graph, String id) {
    for (JsonNode n : graph.get("nodes")) {
      if (n.get("id").asText().equals(id)) {
        return n;
      }
    }
    throw new AssertionError("no node " + id + " in " + graph);
  }

  static List<String> problemsOn(JourneyEditorView view, String id) {
    List<String> out = new ArrayList<>();
    node(graph(view), id).get("problems").forEach(p -> out.add(p.asText()));
    return out;
  }

  static JsonNode edge(JsonNode graph, String source, String target) {
    for (JsonNode e : graph.get("edges")) {
      if (e.get("source").asText().equals(source) && e.get("target").asText().equals(target)) {
        return e;
      }
    }
    throw new AssertionError("no edge " + source + " → " + target + " in " + graph);
  }

  static List<String> edges(JsonNode graph) {
    List<String> out = new ArrayList<>();
    graph
        .get("edges")
        .forEach(
            e ->
                out.add(
                    e.get("source").asText()
                        + ":"
                        + e.get("handle").asText()
                        + ">"
                        + e.get("target").asText()));
    return out;
  }

  static <T extends Component> T byId(Class<T> type, String id) {
    return _get(type, s -> s.withId(id));
  }

  static Button button(String id) {
    return byId(Button.class, id);
  }

  static String summary() {
    return byId(Div.class, "journey-problems").getElement().getTextRecursively();
  }

  static String saved() {
    return byId(Span.class, "journey-saved").getText();
  }

  @SuppressWarnings("unchecked")
  static <V> void set(String id, Class<?> type, V value) {
    HasValueUtilsKt._setValue(
        (com.vaadin.flow.component.HasValue<?, V>) _get((Class<Component>) type, s -> s.withId(id)),
        value);
  }

  static void duration(String id, Integer amount, Durations.Unit unit) {
    if (unit != null) {
      set(id + "-unit", Select.class, unit);
    }
    if (amount != null) {
      set(id, IntegerField.class, amount);
    }
  }

  /** Fires a canvas event as the React component does: its detail is JSON text. */
  static void canvasEvent(JourneyEditorView view, String type, String detail) {
    JsonObject data = Json.createObject();
    data.put("event.detail", detail);
    ElementUtilsKt._fireDomEvent(
        view.canvas().getElement(), new DomEvent(view.canvas().getElement(), type, data));
  }

  static List<String> notifications() {
    return NotificationsKt.getNotifications().stream()
        .map(n -> n.getElement().getProperty("text"))
        .toList();
  }

  // ------------------------------------------------------------------ 1. round trip

  @Test
  void theSpecsJourneyRoundTripsAndItsOneProblemShowsOnTheEntry() throws Exception {
    ObjectNode spec = spec("jev-cart");
    create(spec.deepCopy());
    JourneyEditorView view = open("jev-cart");

    List<Problem> problems = definitions.validate("jev-cart");
    assertThat(problems)
        .extracting(Problem::path)
        .containsExactly("$.settings.quietHours.timezoneColumn");
    String message = problems.get(0).message();
    JsonNode g = graph(view);
    assertThat(g.get("mode").asText()).isEqualTo("design");
    assertThat(problemsOn(view, JourneyGraph.ENTRY)).containsExactly(message);
    for (JsonNode n : spec.get("nodes")) {
      assertThat(problemsOn(view, n.get("id").asText())).as(n.get("id").asText()).isEmpty();
    }
    assertThat(summary()).contains("1 problem before publish:", "entry: " + message);
    // the entry's panel shows at first, its field marked
    assertThat(view.panel().nodeId()).isEqualTo(JourneyGraph.ENTRY);
    HasValidation tz = view.panel().field("settings.quietHours.timezoneColumn");
    assertThat(tz.isInvalid()).isTrue();
    assertThat(tz.getErrorMessage()).isEqualTo(message);
    assertThat(view.panel().field("settings.quietHours.from").isInvalid()).isFalse();

    // clicking through every node (and the problem's link back to the entry) changes nothing
    for (JsonNode n : spec.get("nodes")) {
      String id = n.get("id").asText();
      view.select(id);
      assertThat(view.panel().nodeId()).isEqualTo(id);
      assertThat(graph(view).get("selected").asText()).isEqualTo(id);
    }
    _click(_get(Button.class, s -> s.withClasses("journey-problem").withText("entry: " + message)));
    assertThat(view.panel().nodeId()).isEqualTo(JourneyGraph.ENTRY);
    assertThat(view.panel().field("settings.quietHours.timezoneColumn").isInvalid()).isTrue();
    assertThat(stored("jev-cart")).isEqualTo(spec);
    assertThat((JsonNode) view.draft()).isEqualTo(spec);
    assertThat(button("journey-undo").isEnabled()).isFalse();
    assertThat(button("journey-redo").isEnabled()).isFalse();

    // an edit, undone, is the file again; redone, the edit again
    view.select("wait-1d");
    set("field-duration", IntegerField.class, 2);
    assertThat(stored("jev-cart").at("/nodes/0/duration").asText()).isEqualTo("P2D");
    assertThat(saved()).startsWith("Draft saved");
    assertThat(button("journey-undo").isEnabled()).isTrue();
    _click(button("journey-undo"));
    assertThat(stored("jev-cart")).isEqualTo(spec);
    assertThat(button("journey-undo").isEnabled()).isFalse();
    assertThat(button("journey-redo").isEnabled()).isTrue();
    _click(button("journey-redo"));
    assertThat(stored("jev-cart").at("/nodes/0/duration").asText()).isEqualTo("P2D");
    view.undo();
    assertThat(stored("jev-cart")).isEqualTo(spec);
    // the panel shown after an undo is the restored document's
    assertThat(view.panel().nodeId()).isEqualTo("wait-1d");
    assertThat(byId(IntegerField.class, "field-duration").getValue()).isEqualTo(1);
  }

  @Test
  void aDocumentWithoutOptionalPartsSavesOnlyWhatWasEdited() {
    ObjectNode doc =
        parse(
            """
            {"key": "jev-minimal", "name": "Minimal", "parent": "users",
             "entry": {"type": "event", "eventType": "jev_minimal"}, "start": "first",
             "nodes": [{"id": "first", "type": "wait", "duration": "PT1H", "next": "done"},
                       {"id": "done", "type": "exit"}]}""");
    create(doc.deepCopy());
    JourneyEditorView view = open("jev-minimal");
    // the entry's panel showed (it has re-entry, exit criteria, settings); then a node's edit
    view.select("first");
    set("field-duration", IntegerField.class, 3);
    ObjectNode expected = doc.deepCopy();
    ((ObjectNode) expected.get("nodes").get(0)).put("duration", "PT3H");
    assertThat(stored("jev-minimal")).as(saved()).isEqualTo(expected);
  }

  // ------------------------------------------------------------------ 2. panels

  @Test
  void anAddedPropertyFilterNeedsNoValueSoTheDraftStaysSaved() throws Exception {
    create(spec("jev-filter"));
    JourneyEditorView view = open("jev-filter");
    _click(button("add-where"));
    JsonNode added = stored("jev-filter").at("/entry/where/1");
    assertThat(added.path("op").asText()).isEqualTo("is_not_null");
    assertThat(added.has("value")).isFalse();
    assertThat(byId(Span.class, "journey-saved").getText()).startsWith("Draft saved");
    // choosing an operator that takes a value asks for one, on the field
    @SuppressWarnings("unchecked")
    com.vaadin.flow.component.select.Select<String> op =
        (com.vaadin.flow.component.select.Select<String>) view.panel().field("entry.where[1].op");
    HasValueUtilsKt._setValue(op, "eq");
    assertThat(byId(Span.class, "journey-saved").getText()).startsWith("Not saved");
    assertThat(view.panel().field("entry.where[1].value").isInvalid()).isTrue();
    HasValueUtilsKt._setValue((TextField) view.panel().field("entry.where[1].value"), "9");
    assertThat(stored("jev-filter").at("/entry/where/1/value").intValue()).isEqualTo(9);
    assertThat(byId(Span.class, "journey-saved").getText()).startsWith("Draft saved");
  }

  @Test
  void aDraftChangedElsewhereIsShownAsItIsNotOverwritten() throws Exception {
    create(spec("jev-tabs"));
    JourneyEditorView view = open("jev-tabs");
    // another tab (or the API) changes the draft after this page read it
    ObjectNode theirs = (ObjectNode) stored("jev-tabs").deepCopy();
    ((ObjectNode) theirs.get("nodes").get(0)).put("duration", "PT3H");
    definitions.update("jev-tabs", theirs, "someone-else");
    view.connect("bought", "timeoutNext", "ads");
    assertThat(notifications()).anyMatch(n -> n.startsWith("The draft was changed elsewhere"));
    assertThat(stored("jev-tabs")).isEqualTo(theirs);
    assertThat(view.draft()).isEqualTo(theirs);
    // from the reloaded draft, edits save again
    view.connect("bought", "timeoutNext", "ads");
    assertThat(stored("jev-tabs").at("/nodes/1/timeoutNext").asText()).isEqualTo("ads");
    assertThat(stored("jev-tabs").at("/nodes/0/duration").asText()).isEqualTo("PT3H");
  }

  @Test
  void aStoppedJourneyIsShownButNotEdited() throws Exception {
    create(parse(LIVE.replace("jev-live", "jev-stopped")));
    definitions.publish("jev-stopped", false, "admin");
    definitions.stop("jev-stopped", "admin");
    JsonNode before = stored("jev-stopped");
    JourneyEditorView view = open("jev-stopped");
    assertThat(graph(view).get("mode").asText()).isEqualTo("view");
    assertThat(view.panel().isEnabled()).isFalse();
    view.add("wait", 10, 10);
    view.connect("wait", "next", "done");
    assertThat(stored("jev-stopped")).isEqualTo(before);
    assertThat(graph(view).get("nodes")).hasSize(before.get("nodes").size() + 1);
  }

  @Test
  void theEntryPanelEditsEntryReentryQuietHoursAndFrequencyCap() throws Exception {
    create(spec("jev-entry"));
    JourneyEditorView view = open("jev-entry");
    assertThat(view.panel().nodeId()).isEqualTo(JourneyGraph.ENTRY);

    ComboBoxKt._fireCustomValueSet(
        byId(ComboBox.class, "field-entry-eventType"), "checkout_started");
    assertThat(stored("jev-entry").at("/entry/eventType").asText()).isEqualTo("checkout_started");

    // a typed number is a JSON number, a word stays text
    TextField value = (TextField) view.panel().field("entry.where[0].value");
    HasValueUtilsKt._setValue(value, "25.5");
    JsonNode v = stored("jev-entry").at("/entry/where/0/value");
    assertThat(v.isNumber()).as(v.toString()).isTrue();
    assertThat(v.decimalValue()).isEqualByComparingTo("25.5");
    // a word where gte needs a number is refused, named on the field
    HasValueUtilsKt._setValue(value, "lots");
    assertThat(saved()).startsWith("Not saved");
    assertThat(view.panel().field("entry.where[0].value").isInvalid()).isTrue();
    assertThat(stored("jev-entry").at("/entry/where/0/value").decimalValue())
        .isEqualByComparingTo("25.5");
    HasValueUtilsKt._setValue(value, "30");
    assertThat(saved()).startsWith("Draft saved");
    assertThat(view.panel().field("entry.where[0].value").isInvalid()).isFalse();
    assertThat(stored("jev-entry").at("/entry/where/0/value").intValue()).isEqualTo(30);
    assertThat(node(graph(view), JourneyGraph.ENTRY).get("lines").get(0).asText())
        .isEqualTo("event checkout_started where value gte 30");

    // re-entry after a cooldown, in hours
    set("reentry-policy", Select.class, "cooldown");
    assertThat(stored("jev-entry").get("reentry"))
        .isEqualTo(parse("{\"policy\": \"cooldown\", \"cooldown\": \"P7D\"}"));
    duration("field-reentry-cooldown", 36, Durations.Unit.HOURS);
    assertThat(stored("jev-entry").at("/reentry/cooldown").asText()).isEqualTo("PT36H");
    assertThat(node(graph(view), JourneyGraph.ENTRY).get("lines").get(1).asText())
        .isEqualTo("re-entry: after 36 hours");
    set("reentry-policy", Select.class, "after_exit");
    assertThat(stored("jev-entry").get("reentry")).isEqualTo(parse("{\"policy\": \"after_exit\"}"));

    // quiet hours: the unknown column cleared, the problem goes; a string column is fine
    assertThat(problemsOn(view, JourneyGraph.ENTRY)).hasSize(1);
    set("field-settings-quietHours-timezoneColumn", ComboBox.class, null);
    assertThat(stored("jev-entry").at("/settings/quietHours").has("timezoneColumn")).isFalse();
    assertThat(problemsOn(view, JourneyGraph.ENTRY)).isEmpty();
    assertThat(summary()).contains("Ready to publish: no problems");
    set("field-settings-quietHours-timezoneColumn", ComboBox.class, "city");
    set("field-settings-quietHours-from", TextField.class, "22:30");
    assertThat(stored("jev-entry").at("/settings/quietHours"))
        .isEqualTo(
            parse(
                """
                {"from": "22:30", "to": "08:00", "timezoneColumn": "city",
                 "defaultTimezone": "UTC"}"""));
    assertThat(definitions.validate("jev-entry")).isEmpty();
    set("quiet-hours", Checkbox.class, false);
    assertThat(stored("jev-entry").at("/settings").has("quietHours")).isFalse();
    set("quiet-hours", Checkbox.class, true);
    assertThat(stored("jev-entry").at("/settings/quietHours"))
        .isEqualTo(parse("{\"from\": \"21:00\", \"to\": \"08:00\", \"defaultTimezone\": \"UTC\"}"));

    // frequency cap: 3 sends per 12 hours, then none
    set("field-settings-frequencyCap-max", IntegerField.class, 3);
    duration("field-settings-frequencyCap-per", 12, Durations.Unit.HOURS);
    assertThat(stored("jev-entry").at("/settings/frequencyCap"))
        .isEqualTo(parse("{\"max\": 3, \"per\": \"PT12H\"}"));
    set("frequency-cap", Checkbox.class, false);
    assertThat(stored("jev-entry").at("/settings").has("frequencyCap")).isFalse();
    assertThat(definitions.validate("jev-entry")).isEmpty();
  }

  @Test
  void waitWaitUntilAndSendPanelsWriteTheDocument() throws Exception {
    create(spec("jev-nodes"));
    JourneyEditorView view = open("jev-nodes");

    // wait: until a local time and back to a duration in hours
    view.select("wait-1d");
    set("wait-kind", RadioButtonGroup.class, "until");
    assertThat(stored("jev-nodes").at("/nodes/0").has("duration")).isFalse();
    set("field-until-time", TextField.class, "07:30");
    assertThat(stored("jev-nodes").at("/nodes/0/until"))
        .isEqualTo(parse("{\"time\": \"07:30\", \"defaultTimezone\": \"UTC\"}"));
    set("wait-kind", RadioButtonGroup.class, "duration");
    assertThat(stored("jev-nodes").at("/nodes/0/duration").asText()).isEqualTo("P1D");
    duration("field-duration", 2, Durations.Unit.HOURS);
    assertThat(stored("jev-nodes").at("/nodes/0"))
        .isEqualTo(
            parse(
                "{\"id\": \"wait-1d\", \"type\": \"wait\", \"duration\": \"PT2H\", \"next\":"
                    + " \"bought\"}"));
    assertThat(node(graph(view), "wait-1d").get("lines").get(0).asText()).isEqualTo("for 2 hours");

    // wait until: the event and the timeout
    view.select("bought");
    assertThat(byId(IntegerField.class, "field-timeout").getValue()).isEqualTo(2);
    set("field-timeout", IntegerField.class, 3);
    assertThat(stored("jev-nodes").at("/nodes/1/timeout").asText()).isEqualTo("P3D");
    ComboBoxKt._fireCustomValueSet(byId(ComboBox.class, "field-event-eventType"), "purchase");
    assertThat(stored("jev-nodes").at("/nodes/1/event/eventType").asText()).isEqualTo("purchase");
    assertThat(node(graph(view), "bought").get("lines"))
        .extracting(JsonNode::asText)
        .containsExactly("purchase", "timeout after 3 days");

    // send: destination, identifier, mode, a mapped field added
    view.select("send-email");
    set("field-destination", ComboBox.class, ADS);
    set("field-identifier-from", ComboBox.class, "phone");
    set("field-identifier-to", TextField.class, "phone");
    set("field-mode", Select.class, "insert");
    _click(button("add-mapping"));
    set("field-mapping-2-from", ComboBox.class, "last_name");
    set("field-mapping-2-to", TextField.class, "lastName");
    assertThat(stored("jev-nodes").at("/nodes/4"))
        .isEqualTo(
            parse(
                """
                {"id": "send-email", "type": "send", "destination": "jev-ads-hook",
                 "identifier": {"from": "phone", "to": "phone"},
                 "mapping": [{"from": "first_name", "to": "firstName"},
                             {"from": "event.properties.cart_url", "to": "cartUrl"},
                             {"from": "last_name", "to": "lastName"}],
                 "next": "done", "mode": "insert"}"""));
    assertThat(node(graph(view), "send-email").get("title").asText()).isEqualTo("Send to " + ADS);
    assertThat(node(graph(view), "send-email").get("lines"))
        .extracting(JsonNode::asText)
        .containsExactly("phone → phone", "3 fields mapped");
    // an unknown source is named on its field
    set("field-mapping-2-from", ComboBox.class, null);
    ComboBoxKt._fireCustomValueSet(byId(ComboBox.class, "field-mapping-2-from"), "no_such");
    HasValidation from = view.panel().field("mapping[2].from");
    assertThat(from.isInvalid()).isTrue();
    assertThat(from.getErrorMessage()).contains("no_such");
    assertThat(problemsOn(view, "send-email")).hasSize(1);
  }

  @Test
  void branchAndSplitPanels() throws Exception {
    create(spec("jev-branch"));
    JourneyEditorView view = open("jev-branch");

    // branch: rename, add a branch with a condition built in the builder, connect it
    view.select("value");
    set("field-branches-0-name", TextField.class, "big spenders");
    assertThat(stored("jev-branch").at("/nodes/2/branches/0/name").asText())
        .isEqualTo("big spenders");
    assertThat(edge(graph(view), "value", "test").get("label").asText()).isEqualTo("big spenders");
    _click(button("add-branch"));
    assertThat(view.draft().at("/nodes/2/branches")).hasSize(2);
    // a branch without a condition cannot be read: not saved, the problem on the node
    assertThat(stored("jev-branch").at("/nodes/2/branches")).hasSize(1);
    assertThat(saved()).startsWith("Not saved");
    assertThat(problemsOn(view, "value")).anyMatch(p -> p.contains("is required"));
    List<ConditionBuilder> builders = _find(ConditionBuilder.class);
    assertThat(builders).hasSize(2);
    _click(_get(builders.get(1), Button.class, s -> s.withClasses("add-property")));
    @SuppressWarnings("unchecked")
    ComboBox<Column> column = _get(builders.get(1), ComboBox.class, s -> s.withClasses("column"));
    ComboBoxKt.selectByLabel(column, "loyalty_member · boolean");
    @SuppressWarnings("unchecked")
    Select<Op> op = _get(builders.get(1), Select.class, s -> s.withClasses("op"));
    HasValueUtilsKt._setValue(op, Op.IS_TRUE);
    assertThat(saved()).startsWith("Draft saved");
    JsonNode added = stored("jev-branch").at("/nodes/2/branches/1");
    assertThat(added.get("name").asText()).isEqualTo("branch 2");
    assertThat(added.get("condition").toString()).contains("loyalty_member", "is_true");
    assertThat(problemsOn(view, "value"))
        .containsExactly(
            "is required: every node but exit leads somewhere (the id of the next node)");
    view.connect("value", "branch-1", "ads");
    assertThat(stored("jev-branch").at("/nodes/2/branches/1/next").asText()).isEqualTo("ads");
    assertThat(problemsOn(view, "value")).isEmpty();
    set("field-branches-1-name", TextField.class, "members");
    assertThat(edges(graph(view))).contains("value:branch-1>ads", "value:else>ads");
    assertThat(stored("jev-branch").at("/nodes/2/branches/1/name").asText()).isEqualTo("members");

    // split: a sum other than 100 is named on the badge and on the node
    view.select("test");
    set("field-groups-0-percent", BigDecimalField.class, new BigDecimal("50"));
    assertThat(stored("jev-branch").at("/nodes/3/groups/0/percent").decimalValue())
        .isEqualByComparingTo("50");
    Span sum = byId(Span.class, "split-sum");
    assertThat(sum.getText()).isEqualTo("Total 105% (must be 100%)");
    assertThat(sum.getElement().getThemeList()).contains("error");
    assertThat(problemsOn(view, "test"))
        .containsExactly("the groups' percentages sum to 105, not 100");
    assertThat(summary()).contains("test: the groups' percentages sum to 105, not 100");
    set("field-groups-1-percent", BigDecimalField.class, new BigDecimal("40"));
    assertThat(byId(Span.class, "split-sum").getText()).isEqualTo("Total 100%");
    assertThat(problemsOn(view, "test")).isEmpty();

    // a group held out loses its edge; the node it led to is then unreachable
    set("field-groups-1-holdout", Checkbox.class, true);
    JsonNode group = stored("jev-branch").at("/nodes/3/groups/1");
    assertThat(group)
        .isEqualTo(parse("{\"name\": \"email+ads\", \"percent\": 40, \"holdout\": true}"));
    assertThat(edges(graph(view))).noneMatch(e -> e.startsWith("test:group-1"));
    assertThat(node(graph(view), "test").get("ports"))
        .extracting(p -> p.get("id").asText())
        .containsExactly("group-0");
    assertThat(problemsOn(view, "send-both")).anyMatch(p -> p.contains("unreachable"));
    set("field-groups-1-holdout", Checkbox.class, false);
    assertThat(stored("jev-branch").at("/nodes/3/groups/1").has("holdout")).isFalse();
    view.connect("test", "group-1", "send-both");
    assertThat(stored("jev-branch").at("/nodes/3/groups/1/next").asText()).isEqualTo("send-both");
    assertThat(problemsOn(view, "send-both")).isEmpty();
    // the exit's panel only explains
    view.select("done");
    assertThat(view.panel().nodeId()).isEqualTo("done");
  }

  // ------------------------------------------------------------------ 3. canvas edits

  static final String SMALL =
      """
      {"key": "%s", "name": "Canvas", "parent": "users",
       "entry": {"type": "event", "eventType": "jev_canvas"}, "start": "first",
       "nodes": [{"id": "first", "type": "wait", "duration": "PT1H", "next": "done"},
                 {"id": "done", "type": "exit"}]}""";

  @Test
  void canvasEditsThroughItsEventsWithUndoAndRedo() {
    create(parse(SMALL.formatted("jev-canvas")));
    JourneyEditorView view = open("jev-canvas");
    assertThat(edges(graph(view))).containsExactly("__entry:start>first", "first:next>done");
    assertThat(summary()).contains("Ready to publish");

    // a node dropped from the palette: a fresh id, selected, saved, its missing edge on it
    canvasEvent(view, "journey-add", "{\"type\": \"send\", \"x\": 120, \"y\": 80}");
    JsonNode send = stored("jev-canvas").at("/nodes/2");
    assertThat(send.get("id").asText()).isEqualTo("send");
    assertThat(send.get("destination").asText()).isNotEmpty();
    assertThat(send.get("identifier")).isEqualTo(parse("{\"from\": \"email\", \"to\": \"email\"}"));
    assertThat(graph(view).get("selected").asText()).isEqualTo("send");
    assertThat(view.panel().nodeId()).isEqualTo("send");
    assertThat(node(graph(view), "send").get("x").asDouble()).isEqualTo(120);
    assertThat(definitions.layout("jev-canvas")).containsEntry("send", new Position(120, 80));
    assertThat(problemsOn(view, "send"))
        .contains("is required: every node but exit leads somewhere (the id of the next node)")
        .anyMatch(p -> p.contains("unreachable"));
    assertThat(button("journey-undo").isEnabled()).isTrue();
    view.add("send", 300, 80);
    assertThat(stored("jev-canvas").at("/nodes/3/id").asText()).isEqualTo("send-2");
    view.undo();
    assertThat(stored("jev-canvas").get("nodes")).hasSize(3);

    // edges drawn by dragging from a port; never into the entry
    canvasEvent(
        view,
        "journey-connect",
        "{\"source\": \"first\", \"handle\": \"next\", \"target\": \"send\"}");
    view.connect("send", "next", "done");
    view.connect("send", "next", JourneyGraph.ENTRY);
    assertThat(stored("jev-canvas").at("/nodes/0/next").asText()).isEqualTo("send");
    assertThat(stored("jev-canvas").at("/nodes/2/next").asText()).isEqualTo("done");
    assertThat(edges(graph(view)))
        .containsExactly("__entry:start>first", "first:next>send", "send:next>done");
    assertThat(summary()).contains("Ready to publish");
    JsonNode connected = stored("jev-canvas");

    canvasEvent(view, "journey-select", "{\"id\": \"first\"}");
    assertThat(view.panel().nodeId()).isEqualTo("first");

    // deleting a node removes the edges into it; the entry cannot be deleted
    canvasEvent(view, "journey-delete", "{\"nodes\": [\"send\", \"__entry\"], \"edges\": []}");
    assertThat(stored("jev-canvas").get("nodes"))
        .extracting(n -> n.get("id").asText())
        .containsExactly("first", "done");
    assertThat(stored("jev-canvas").at("/nodes/0").has("next")).isFalse();
    assertThat(stored("jev-canvas").get("start").asText()).isEqualTo("first");
    assertThat(definitions.layout("jev-canvas")).doesNotContainKey("send");
    assertThat(problemsOn(view, "first"))
        .containsExactly(
            "is required: every node but exit leads somewhere (the id of the next node)");
    assertThat(view.panel().nodeId()).isEqualTo("first");
    _click(button("journey-undo"));
    assertThat(stored("jev-canvas")).isEqualTo(connected);
    // and the node comes back where it was drawn
    assertThat(node(graph(view), "send").get("x").asDouble()).isEqualTo(120);
    assertThat(definitions.layout("jev-canvas")).containsEntry("send", new Position(120, 80));
    assertThat(button("journey-redo").isEnabled()).isTrue();

    // an edge deleted on its own
    canvasEvent(
        view,
        "journey-delete",
        "{\"nodes\": [], \"edges\": [{\"source\": \"send\", \"handle\": \"next\", \"target\":"
            + " \"done\"}]}");
    assertThat(stored("jev-canvas").at("/nodes/2").has("next")).isFalse();
    assertThat(button("journey-redo").isEnabled()).as("a new edit drops the redos").isFalse();
    _click(button("journey-undo"));
    assertThat(stored("jev-canvas")).isEqualTo(connected);

    // moving nodes is an undoable step that changes no document
    canvasEvent(view, "journey-move", "{\"send\": {\"x\": 200, \"y\": 40}}");
    assertThat(definitions.layout("jev-canvas")).containsEntry("send", new Position(200, 40));
    view.undo();
    assertThat(definitions.layout("jev-canvas")).containsEntry("send", new Position(120, 80));
    assertThat(stored("jev-canvas")).isEqualTo(connected);
    _click(button("journey-auto-layout"));
    assertThat(definitions.layout("jev-canvas")).isEmpty();
    assertThat(node(graph(view), "send").get("x").isNull()).isTrue();
  }

  // ------------------------------------------------------------------ 4. publish, 6. versions

  @Test
  void publishIsRefusedWithProblemsThenAsksWhetherPeopleInFlightMove() {
    ObjectNode doc = parse(SMALL.formatted("jev-publish"));
    ((ObjectNode) doc.get("nodes").get(0)).remove("next");
    create(doc);
    JourneyEditorView view = open("jev-publish");
    assertThat(byId(Span.class, "journey-state").getText()).isEqualTo("draft");

    _click(button("journey-publish"));
    assertThat(notifications())
        .contains("Fix the problems first: 2 left (listed above the canvas)");
    _assertNone(PublishDialog.class);
    assertThat(definitions.find("jev-publish").versions()).isEmpty();
    NotificationsKt.clearNotifications();

    // fixed: a first publish only confirms
    view.connect("first", "next", "done");
    _click(button("journey-publish"));
    PublishDialog first = _get(PublishDialog.class);
    assertThat(first.getHeaderTitle()).isEqualTo("Publish version 1 of Canvas?");
    assertThat(first.getElement().getTextRecursively())
        .contains("people enter when their entry event arrives");
    _assertNone(RadioButtonGroup.class, s -> s.withId("publish-migrate"));
    _click(button("publish-confirm"));
    MockVaadin.clientRoundtrip();
    JourneyDefinitions.Detail live = definitions.find("jev-publish");
    assertThat(live.liveVersion()).isEqualTo(1);
    assertThat(live.state().wire()).isEqualTo("live");
    assertThat(byId(Span.class, "journey-state").getText()).isEqualTo("live · v1");
    assertThat(notifications()).contains("Published version 1 (live)");
    NotificationsKt.clearNotifications();

    // someone waits at "first" on version 1
    store.execute(
        "insert into journey_entry (journey_key, version, person, entered_at, node, phase, since)"
            + " values ('jev-publish', 1, '31', ?, 'first', 'wait', ?)",
        T0,
        T0);

    // an edit, read as a sentence against the live version
    view.select("first");
    set("field-duration", IntegerField.class, 2);
    _click(button("journey-versions"));
    VersionsDialog versions = _get(VersionsDialog.class);
    assertThat(byId(Div.class, "versions-changes").getElement().getTextRecursively())
        .contains("Changes from version 1 (live):", "first.duration: PT1H → PT2H");
    versions.close();
    MockVaadin.clientRoundtrip();

    _click(button("journey-publish"));
    PublishDialog second = _get(PublishDialog.class);
    assertThat(second.getHeaderTitle()).isEqualTo("Publish version 2 of Canvas?");
    assertThat(second.getElement().getTextRecursively())
        .contains("People are inside version 1. What happens to them?");
    @SuppressWarnings("unchecked")
    RadioButtonGroup<String> migrate = byId(RadioButtonGroup.class, "publish-migrate");
    assertThat(migrate.getValue()).isEqualTo(PublishDialog.STAY);
    assertThat(migrate.getItemLabelGenerator().apply(PublishDialog.STAY))
        .contains("Keep them on the version they entered", "version 2");
    assertThat(migrate.getItemLabelGenerator().apply(PublishDialog.MIGRATE))
        .contains("Move them to version 2", "keeping the time already waited");
    HasValueUtilsKt._setValue(migrate, PublishDialog.MIGRATE);
    _click(button("publish-confirm"));
    assertThat(definitions.find("jev-publish").liveVersion()).isEqualTo(2);
    assertThat(byId(Span.class, "journey-state").getText()).isEqualTo("live · v2");
    assertThat(notifications()).contains("Published version 2 (live); 1 people moved to it");
    assertThat(
            store
                .fetchValue(
                    "select version from journey_entry where journey_key = 'jev-publish'"
                        + " and person = '31'")
                .toString())
        .isEqualTo("2");

    // the versions: version 2 against 1
    _click(button("journey-versions"));
    VersionsDialog again = _get(VersionsDialog.class);
    HasValueUtilsKt._setValue(again.version, "2");
    assertThat(again.changes.getElement().getTextRecursively())
        .contains("Changes from version 1:", "first.duration: PT1H → PT2H");
    HasValueUtilsKt._setValue(again.version, "1");
    assertThat(again.changes.getElement().getTextRecursively()).contains("First version: 2 nodes");
    again.close();
    MockVaadin.clientRoundtrip();
  }

  // ------------------------------------------------------------------ 5. live

  static final String LIVE =
      """
      {"key": "jev-live", "name": "Live", "parent": "users",
       "entry": {"type": "event", "eventType": "jev_live_event"}, "start": "wait",
       "nodes": [{"id": "wait", "type": "wait", "duration": "P1D", "next": "test"},
                 {"id": "test", "type": "split", "salt": "s", "groups": [
                   {"name": "a", "percent": 50, "next": "send"},
                   {"name": "control", "percent": 25, "holdout": true},
                   {"name": "hold-2", "percent": 25, "holdout": true}]},
                 {"id": "send", "type": "send", "destination": "jev-esp-hook",
                  "identifier": {"from": "email", "to": "email"}, "mapping": [],
                  "next": "done"},
                 {"id": "done", "type": "exit"}]}""";

  long entry(String person, String node, OffsetDateTime out, String why) {
    return store
        .fetchSingle(
            "insert into journey_entry (journey_key, version, person, entered_at, node, phase,"
                + " since, exited_at, exit_reason) values ('jev-live', 1, ?, ?, ?, ?, ?, ?, ?)"
                + " returning id",
            person,
            T0,
            node,
            node == null ? null : "wait",
            node == null ? null : T0.plusHours(1),
            out,
            why)
        .get(0, Long.class);
  }

  void step(long entry, String node, OffsetDateTime at, String outcome, String next) {
    store.execute(
        "insert into journey_step (entry_id, node, at, outcome, next) values (?, ?, ?, ?, ?)",
        entry,
        node,
        at,
        outcome,
        next);
  }

  void count(String node, String edge, long n) {
    store.execute(
        "insert into journey_count values ('jev-live', 1, ?, ?, ?) on conflict (journey_key,"
            + " version, node, edge) do update set n = excluded.n",
        node,
        edge,
        n);
  }

  void holdout(String person, String group, long entry, OffsetDateTime at) {
    store.execute(
        "insert into journey_holdout (journey_key, version, node, grp, person, entry_id, at)"
            + " values ('jev-live', 1, 'test', ?, ?, ?, ?)",
        group,
        person,
        entry,
        at);
  }

  @SuppressWarnings("unchecked")
  static <T> Grid<T> grid(String id) {
    return _get(Grid.class, s -> s.withId(id));
  }

  static void poll() {
    ComponentUtil.fireEvent(UI.getCurrent(), new PollEvent(UI.getCurrent(), true));
  }

  @Test
  void liveCountsPeopleAtANodeTheirPathAndTheHoldoutLog() {
    create(parse(LIVE));
    definitions.publish("jev-live", false, "admin");
    // 11 went through once and is back at wait; 12 waits; 13 was held out
    long a = entry("11", null, T0.plusDays(1), "exit");
    step(a, "wait", T0.plusDays(1), "P1D", "test");
    step(a, "test", T0.plusDays(1), "a", "send");
    step(a, "send", T0.plusDays(1), "sent", "done");
    step(a, "done", T0.plusDays(1), "exit", null);
    entry("11", "wait", null, null);
    entry("12", "wait", null, null);
    long c = entry("13", null, T0.plusDays(1), "holdout");
    step(c, "wait", T0.plusDays(1), "P1D", "test");
    step(c, "test", T0.plusDays(1), "control", null);
    count("wait", "", 4);
    count("wait", "test", 2);
    count("test", "", 2);
    count("test", "send", 1);
    count("test", "exit:holdout", 1);
    count("send", "", 1);
    count("send", "done", 1);
    count("done", "", 1);
    holdout("13", "control", c, T0.plusDays(1));
    holdout("15", "hold-2", c, T0.plusDays(2));
    holdout("17", "control", c, T0.plusDays(3));
    store.execute(
        "insert into journey_send (entry_id, node, journey_key, version, person, destination,"
            + " status, reason, created_at, sent_at) values (?, 'send', 'jev-live', 1, '11', ?,"
            + " 'rejected', '400: bad email', ?, ?)",
        a,
        ESP,
        T0.plusDays(1),
        T0.plusDays(1));

    JourneyEditorView view = open("jev-live");
    assertThat(graph(view).get("mode").asText()).isEqualTo("design");
    byId(Tabs.class, "journey-tabs").setSelectedIndex(1);
    assertThat(byId(HorizontalLayout.class, "journey-live-bar").isVisible()).isTrue();
    _assertNone(HorizontalLayout.class, s -> s.withId("journey-design-bar"));
    JsonNode g = graph(view);
    assertThat(g.get("mode").asText()).isEqualTo("live");
    assertThat(node(g, JourneyGraph.ENTRY).get("stats"))
        .isEqualTo(parse("{\"now\": 2, \"entered\": 4}"));
    assertThat(node(g, "wait").get("stats")).isEqualTo(parse("{\"now\": 2, \"entered\": 4}"));
    assertThat(node(g, "test").get("stats")).isEqualTo(parse("{\"now\": 0, \"entered\": 2}"));
    assertThat(node(g, "wait").get("problems")).isEmpty();
    assertThat(edge(g, JourneyGraph.ENTRY, "wait").get("count").asLong()).isEqualTo(4);
    assertThat(edge(g, "wait", "test").get("count").asLong()).isEqualTo(2);
    assertThat(edge(g, "test", "send").get("count").asLong()).isEqualTo(1);
    assertThat(edge(g, "send", "done").get("count").asLong()).isEqualTo(1);
    assertThat(byId(Span.class, "journey-live-summary").getText())
        .isEqualTo("2 inside now · 4 entered · 0 events of unknown people");

    // the engine moves on; the poll reads the counts again
    entry("14", "wait", null, null);
    count("wait", "", 5);
    poll();
    g = graph(view);
    assertThat(node(g, "wait").get("stats")).isEqualTo(parse("{\"now\": 3, \"entered\": 5}"));
    assertThat(edge(g, JourneyGraph.ENTRY, "wait").get("count").asLong()).isEqualTo(5);
    entry("16", "wait", null, null);
    count("wait", "", 6);
    view.refreshLive();
    g = graph(view);
    assertThat(node(g, JourneyGraph.ENTRY).get("stats"))
        .isEqualTo(parse("{\"now\": 4, \"entered\": 6}"));
    assertThat(byId(Span.class, "journey-live-summary").getText()).startsWith("4 inside now");

    // who waits at a node, and a person's path through every entry
    view.select("wait");
    Grid<JourneyInsights.PersonAtNode> people = grid("live-people");
    assertThat(GridKt._size(people)).isEqualTo(4);
    assertThat(GridKt._getFormattedRow(people, 0))
        .containsExactly("11", "2026-12-01 11:00:00", "v1");
    GridKt._clickItem(people, 0);
    JourneyLivePanel.PathDialog path = _get(JourneyLivePanel.PathDialog.class);
    assertThat(path.getHeaderTitle()).isEqualTo("Person 11 in jev-live");
    assertThat(_find(path, H5.class))
        .extracting(H5::getText)
        .anySatisfy(t -> assertThat(t).contains("version 1", "left 2026-12-02", "(exit)"))
        .anySatisfy(t -> assertThat(t).contains("now at wait"));
    @SuppressWarnings("unchecked")
    List<Grid<JourneyInsights.PathStep>> steps =
        _find(path, Grid.class, s -> s.withClasses("path-steps")).stream()
            .map(x -> (Grid<JourneyInsights.PathStep>) x)
            .toList();
    assertThat(steps).hasSize(2);
    assertThat(GridKt._size(steps.get(0))).isEqualTo(4);
    assertThat(GridKt._getFormattedRow(steps.get(0), 1))
        .containsExactly("test", "2026-12-02 10:00:00", "a", "send");
    assertThat(GridKt._getFormattedRow(steps.get(0), 3))
        .containsExactly("done", "2026-12-02 10:00:00", "exit", "out");
    assertThat(GridKt._size(steps.get(1))).isZero();
    path.close();
    MockVaadin.clientRoundtrip();

    // a send node lists its failed sends
    view.select("send");
    Grid<JourneyInsights.Send> failed = grid("live-failed");
    assertThat(GridKt._size(failed)).isEqualTo(1);
    assertThat(GridKt._getFormattedRow(failed, 0))
        .containsExactly("11", "400: bad email", "2026-12-02 10:00:00");
    // retried from there: queued again once, and gone from the failed list
    _click(button("live-retry"));
    assertThat(notifications()).anyMatch(n -> n.startsWith("1 sends queued again"));
    assertThat(
            store.fetchValue(
                "select status from journey_send where journey_key = 'jev-live' and node = 'send'"))
        .isNotEqualTo("rejected");
    assertThat(GridKt._size(failed)).isZero();

    // a split node shows its holdout log, filtered by group
    view.select("test");
    Grid<JourneyInsights.Holdout> holdouts = grid("journey-holdouts");
    assertThat(GridKt._size(holdouts)).isEqualTo(3);
    assertThat(GridKt._getFormattedRow(holdouts, 0))
        .containsExactly("13", "control", "v1", "2026-12-02 10:00:00");
    @SuppressWarnings("unchecked")
    ComboBox<String> group = byId(ComboBox.class, "journey-holdouts-group");
    assertThat(ComboBoxKt.getSuggestions(group)).containsExactly("control", "hold-2");
    HasValueUtilsKt._setValue(group, "control");
    assertThat(GridKt._size(holdouts)).isEqualTo(2);
    assertThat(GridKt._getFormattedRow(holdouts, 1)).startsWith("17", "control");
    HasValueUtilsKt._setValue(group, "hold-2");
    assertThat(GridKt._size(holdouts)).isEqualTo(1);

    // the same log on its own page
    UI.getCurrent().navigate("journeys/jev-live/holdouts", QueryParameters.of("node", "test"));
    assertThat(_get(H2.class).getText()).isEqualTo("Holdout log of journey jev-live, split test");
    assertThat(GridKt._size(grid("journey-holdouts"))).isEqualTo(3);
  }

  // ------------------------------------------------------------------ 7. simulation

  @Test
  void aSimulationOverAnAudienceShowsItsCountsAndSendsOnTheCanvas() {
    if (audiences.list(null).stream().noneMatch(a -> a.key().equals("jev-sim-fr"))) {
      audiences.create(
          "jev-sim-fr",
          "French users",
          null,
          parse(
              """
              {"parent": "users", "filter": {"type": "property", "column": "country",
               "op": "eq", "value": "FR"}}"""),
          "admin");
    }
    long french =
        warehouse
            .dsl()
            .fetchCount(warehouse.dsl().selectFrom("demo.users").where("country = 'FR'"));
    assertThat(french).isPositive();
    create(
        parse(
            """
            {"key": "jev-sim", "name": "Simulated", "parent": "users",
             "entry": {"type": "event", "eventType": "jev_sim_event"}, "start": "pause",
             "nodes": [{"id": "pause", "type": "wait", "duration": "PT10S", "next": "send"},
                       {"id": "send", "type": "send", "destination": "jev-esp-hook",
                        "identifier": {"from": "email", "to": "email"},
                        "mapping": [{"from": "first_name", "to": "firstName"}],
                        "next": "done"},
                       {"id": "done", "type": "exit"}]}"""));
    JourneyEditorView view = open("jev-sim");

    _click(button("journey-simulate"));
    SimulationDialog dialog = _get(SimulationDialog.class);
    HasValueUtilsKt._setValue(dialog.audience, "jev-sim-fr");
    HasValueUtilsKt._setValue(dialog.horizon, 1);
    HasValueUtilsKt._setValue(dialog.unit, Durations.Unit.HOURS);
    assertThat(dialog.body())
        .isEqualTo(parse("{\"people\": {\"audience\": \"jev-sim-fr\"}, \"horizon\": \"PT1H\"}"));
    _click(button("simulation-run"));
    MockVaadin.clientRoundtrip();
    _assertNone(SimulationDialog.class);

    JsonNode g = graph(view);
    assertThat(g.get("mode").asText()).isEqualTo("simulation");
    assertThat(node(g, JourneyGraph.ENTRY).get("stats"))
        .isEqualTo(parse("{\"now\": 0, \"entered\": " + french + "}"));
    assertThat(node(g, "pause").get("stats").get("entered").asLong()).isEqualTo(french);
    assertThat(node(g, "send").get("stats").get("entered").asLong()).isEqualTo(french);
    assertThat(edge(g, JourneyGraph.ENTRY, "pause").get("count").asLong()).isEqualTo(french);
    assertThat(edge(g, "pause", "send").get("count").asLong()).isEqualTo(french);
    assertThat(edge(g, "send", "done").get("count").asLong()).isEqualTo(french);
    String summary = byId(Div.class, "simulation-summary").getElement().getTextRecursively();
    assertThat(summary)
        .contains("Simulation (nothing was sent)", french + " people enter between")
        .contains("Sends to " + ESP + ": " + french);
    assertThat(button("journey-clear-simulation").isVisible()).isTrue();
    // nothing was sent, nobody entered
    assertThat(store.fetchCount(store.selectFrom("journey_entry").where("journey_key = 'jev-sim'")))
        .isZero();

    _click(button("journey-clear-simulation"));
    assertThat(graph(view).get("mode").asText()).isEqualTo("design");
    assertThat(node(graph(view), "send").get("stats").isNull()).isTrue();
    _assertNone(Div.class, s -> s.withId("simulation-summary"));
  }
}
