package io.customerstudio.app.journeys.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.radiobutton.RadioButtonGroup;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.BigDecimalField;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.conditions.ConditionSources;
import io.customerstudio.app.conditions.ui.BuilderContext;
import io.customerstudio.app.conditions.ui.ConditionBuilder;
import io.customerstudio.query.Problem;
import io.customerstudio.query.audience.Op;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The side panel of one node of the designer (or of the journey's entry and settings): a form per
 * node type that edits the document in place and calls {@code changed} after each edit. Each field
 * is registered under its path inside the node ({@code duration}, {@code groups[1].percent}, {@code
 * entry.eventType}), so a problem from the server shows on the field it names; a problem inside a
 * condition shows on its row of the condition builder; the rest are listed on top.
 */
final class NodePanel extends VerticalLayout {

  /** What a panel's choices come from. */
  record Choices(
      ConditionSources sources,
      List<String> destinations,
      List<String> eventTypes,
      List<String> eventProperties) {}

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final ObjectNode document;
  private final ObjectNode node;
  private final String nodeId;
  private final Choices choices;
  private final Runnable changed;
  private final Runnable rerender;
  private final BuilderContext ctx;
  private final Map<String, HasValidation> fields = new LinkedHashMap<>();
  private final List<Runnable> pending = new ArrayList<>();
  private final Div problemsBox = new Div();
  private final ModelInfo parent;

  /**
   * @param node the node edited, or null for the entry (the document's entry, re-entry, exit
   *     criteria and settings)
   * @param changed called after every edit of the document
   * @param rerender called when the panel itself must be rebuilt (a list grew or shrank)
   */
  NodePanel(
      ObjectNode document, ObjectNode node, Choices choices, Runnable changed, Runnable rerender) {
    this.document = document;
    this.node = node;
    this.nodeId = node == null ? JourneyGraph.ENTRY : node.path("id").asText();
    this.choices = choices;
    // an object or list the document lacks is attached by the first edit that fills it, so that
    // showing a panel changes nothing (an empty "reentry": {} would not even read)
    this.changed =
        () -> {
          for (int i = pending.size() - 1; i >= 0; i--) {
            pending.get(i).run();
          }
          changed.run();
        };
    this.rerender = rerender;
    this.ctx = new BuilderContext(choices.sources(), null, false, this.changed);
    Catalog catalog = choices.sources().catalog();
    this.parent = catalog.model(document.path("parent").asText("")).orElse(null);
    setId("node-panel");
    setPadding(false);
    setSpacing(false);
    addClassName("journey-node-panel");
    problemsBox.setId("node-problems");
    problemsBox.addClassName("node-problems");
    problemsBox.setVisible(false);
    if (node == null) {
      add(new H4("Entry and settings"), problemsBox);
      entry();
    } else {
      String type = JourneyGraph.type(node);
      add(new H4(JourneyGraph.TYPES.getOrDefault(type, type) + " · " + nodeId), problemsBox);
      switch (type) {
        case "wait" -> waitNode();
        case "wait_until" -> waitUntil();
        case "branch" -> branch();
        case "split" -> split();
        case "send" -> send();
        case "exit" -> add(new Paragraph("People who reach an exit leave the journey."));
        default -> add(new Paragraph("A node of type " + type + ", shown as its JSON."));
      }
    }
  }

  String nodeId() {
    return nodeId;
  }

  /** The field registered at this path inside the node (for tests). */
  HasValidation field(String path) {
    return fields.get(path);
  }

  /**
   * Shows the problems of this node: each on the field its path names, inside conditions on their
   * row, the rest listed on top.
   */
  void showProblems(List<Problem> problems) {
    fields.values().forEach(f -> f.setInvalid(false));
    List<ApiException.FieldError> inConditions = new ArrayList<>();
    List<String> general = new ArrayList<>();
    for (Problem p : problems) {
      String field = JourneyGraph.fieldOf(p.path());
      HasValidation f = fields.get(field);
      if (f != null) {
        f.setErrorMessage(p.message());
        f.setInvalid(true);
      } else if (field.contains("condition")) {
        inConditions.add(new ApiException.FieldError(p.path(), p.message()));
      } else {
        general.add((field.isEmpty() ? "" : field + ": ") + p.message());
      }
    }
    if (!inConditions.isEmpty()) {
      for (String g : ctx.showProblems(document, "$", inConditions)) {
        general.add(g);
      }
    }
    problemsBox.removeAll();
    general.forEach(g -> problemsBox.add(new Paragraph(g)));
    problemsBox.setVisible(!general.isEmpty());
  }

  // ---------------------------------------------------------------- entry and settings

  private void entry() {
    TextField name = text(document, "name", "Name", "name");
    name.setWidthFull();
    add(name);
    ObjectNode entry = object(document, "entry");
    RadioButtonGroup<String> kind = new RadioButtonGroup<>("People enter");
    kind.setId("entry-type");
    kind.setItems("event", "audience");
    kind.setItemLabelGenerator(
        k -> k.equals("event") ? "when an event arrives" : "when they join an audience");
    kind.setValue("audience".equals(entry.path("type").asText()) ? "audience" : "event");
    kind.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            entry.removeAll();
            entry.put("type", e.getValue());
            if (e.getValue().equals("audience")) {
              entry.put("every", "PT1H");
            } else {
              entry.put("eventType", first(choices.eventTypes(), "add_to_cart"));
            }
            changed.run();
            rerender.run();
          }
        });
    add(kind);
    if ("audience".equals(entry.path("type").asText())) {
      ComboBox<String> audience = new ComboBox<>("Audience");
      audience.setId("entry-audience");
      audience.setItems(
          choices.sources().audiences().stream()
              .filter(a -> a.parent().equals(document.path("parent").asText()))
              .map(ConditionSources.AudienceChoice::key)
              .toList());
      bindCombo(audience, entry, "audience", "entry.audience");
      add(audience, duration(entry, "every", "Checked every", "entry.every"));
      Checkbox future = new Checkbox("Only people who join after publishing");
      future.setId("entry-future-only");
      future.setValue("future_only".equals(entry.path("enrol").asText()));
      future.addValueChangeListener(
          e -> {
            if (e.getValue()) {
              entry.put("enrol", "future_only");
            } else {
              entry.remove("enrol");
            }
            changed.run();
          });
      add(future);
    } else {
      add(eventType(entry, "eventType", "Event type", "entry.eventType"));
      add(where(entry, "entry.where"));
    }

    ObjectNode reentry = object(document, "reentry");
    Select<String> policy = new Select<>();
    policy.setLabel("Re-entry");
    policy.setId("reentry-policy");
    policy.setItems("never", "after_exit", "cooldown");
    policy.setItemLabelGenerator(
        p ->
            switch (p) {
              case "never" -> "Never: at most once, ever";
              case "after_exit" -> "Again once they have exited";
              default -> "Again after a cooldown since their last entry";
            });
    policy.setValue(reentry.path("policy").asText("never"));
    policy.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            reentry.put("policy", e.getValue());
            if (!"cooldown".equals(e.getValue())) {
              reentry.remove("cooldown");
            } else if (!reentry.has("cooldown")) {
              reentry.put("cooldown", "P7D");
            }
            changed.run();
            rerender.run();
          }
        });
    fields.put("reentry.policy", policy);
    add(policy);
    if ("cooldown".equals(reentry.path("policy").asText())) {
      add(duration(reentry, "cooldown", "Cooldown", "reentry.cooldown"));
    }

    add(section("Exit criteria: people leave from wherever they are"));
    ArrayNode exits = array(document, "exitCriteria");
    for (int i = 0; i < exits.size(); i++) {
      int index = i;
      ObjectNode c = (ObjectNode) exits.get(i);
      VerticalLayout row = box();
      if (c.has("event")) {
        ObjectNode event = object(c, "event");
        row.add(eventType(event, "eventType", "Event", "exitCriteria[" + i + "].event.eventType"));
      } else if (parent != null) {
        row.add(new Span("When this holds (checked on the condition cadence):"));
        row.add(new ConditionBuilder(c, "condition", parent, ctx));
      }
      row.add(removeButton("Remove exit criterion", () -> exits.remove(index)));
      add(row);
    }
    HorizontalLayout addExit =
        new HorizontalLayout(
            addButton(
                "Exit on an event",
                "add-exit-event",
                () ->
                    exits
                        .addObject()
                        .putObject("event")
                        .put("eventType", first(choices.eventTypes(), "order_completed"))),
            addButton("Exit on a condition", "add-exit-condition", () -> exits.addObject()));
    add(addExit);

    add(section("Quiet hours: sends wait for the window's end in the person's time zone"));
    ObjectNode settings = object(document, "settings");
    add(
        toggle(
            "Quiet hours",
            "quiet-hours",
            settings,
            "quietHours",
            q -> q.put("from", "21:00").put("to", "08:00").put("defaultTimezone", "UTC")));
    if (settings.has("quietHours")) {
      ObjectNode q = (ObjectNode) settings.get("quietHours");
      HorizontalLayout window =
          new HorizontalLayout(
              text(q, "from", "From (HH:mm)", "settings.quietHours.from"),
              text(q, "to", "To (HH:mm)", "settings.quietHours.to"));
      add(window);
      add(
          columnChoice(
              q, "timezoneColumn", "Time zone column", "settings.quietHours.timezoneColumn"));
      add(text(q, "defaultTimezone", "Default time zone", "settings.quietHours.defaultTimezone"));
    }
    add(section("Frequency cap: sends over it are skipped and logged"));
    add(
        toggle(
            "Frequency cap",
            "frequency-cap",
            settings,
            "frequencyCap",
            c -> c.put("max", 2).put("per", "P1D")));
    if (settings.has("frequencyCap")) {
      ObjectNode cap = (ObjectNode) settings.get("frequencyCap");
      IntegerField max = new IntegerField("At most (sends)");
      max.setId("field-settings-frequencyCap-max");
      max.setMin(1);
      max.setValue(cap.path("max").isInt() ? cap.get("max").asInt() : null);
      max.addValueChangeListener(
          e -> {
            if (e.getValue() == null) {
              cap.remove("max");
            } else {
              cap.put("max", e.getValue());
            }
            changed.run();
          });
      fields.put("settings.frequencyCap.max", max);
      add(max, duration(cap, "per", "Per", "settings.frequencyCap.per"));
    }
  }

  /** A checkbox that adds an optional part with its defaults, or removes it. */
  private Checkbox toggle(
      String label,
      String id,
      ObjectNode holder,
      String field,
      java.util.function.Consumer<ObjectNode> defaults) {
    Checkbox box = new Checkbox(label);
    box.setId(id);
    box.setValue(holder.has(field));
    box.addValueChangeListener(
        e -> {
          if (e.getValue()) {
            defaults.accept(holder.putObject(field));
          } else {
            holder.remove(field);
          }
          changed.run();
          rerender.run();
        });
    return box;
  }

  // ---------------------------------------------------------------- nodes

  private void waitNode() {
    RadioButtonGroup<String> kind = new RadioButtonGroup<>("Wait");
    kind.setId("wait-kind");
    kind.setItems("duration", "until");
    kind.setItemLabelGenerator(
        k -> k.equals("duration") ? "for a duration" : "until a local time of the person");
    kind.setValue(node.has("until") ? "until" : "duration");
    kind.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            node.remove(List.of("duration", "until"));
            if (e.getValue().equals("until")) {
              node.putObject("until").put("time", "09:00").put("defaultTimezone", "UTC");
            } else {
              node.put("duration", "P1D");
            }
            changed.run();
            rerender.run();
          }
        });
    add(kind);
    if (node.has("until")) {
      ObjectNode until = object(node, "until");
      add(text(until, "time", "Time (HH:mm)", "until.time"));
      add(columnChoice(until, "timezoneColumn", "Time zone column", "until.timezoneColumn"));
      add(text(until, "defaultTimezone", "Default time zone", "until.defaultTimezone"));
    } else {
      add(duration(node, "duration", "Duration", "duration"));
    }
  }

  private void waitUntil() {
    RadioButtonGroup<String> kind = new RadioButtonGroup<>("Leave as soon as");
    kind.setId("wait-until-kind");
    kind.setItems("event", "condition");
    kind.setItemLabelGenerator(k -> k.equals("event") ? "an event arrives" : "a condition holds");
    kind.setValue(node.has("event") ? "event" : "condition");
    kind.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            node.remove(List.of("event", "condition"));
            if (e.getValue().equals("event")) {
              node.putObject("event").put("eventType", first(choices.eventTypes(), "event"));
            } else {
              // the condition builder starts empty; until a condition is added, publish names it
            }
            changed.run();
            rerender.run();
          }
        });
    add(kind);
    if (!node.has("event")) {
      if (parent != null) {
        add(new ConditionBuilder(node, "condition", parent, ctx));
      }
    } else {
      ObjectNode event = object(node, "event");
      add(eventType(event, "eventType", "Event type", "event.eventType"));
      add(where(event, "event.where"));
    }
    add(duration(node, "timeout", "Timeout", "timeout"));
  }

  private void branch() {
    add(
        new Paragraph(
            "People take the first branch whose condition holds for them now; else the last edge."));
    ArrayNode branches = array(node, "branches");
    for (int i = 0; i < branches.size(); i++) {
      int index = i;
      ObjectNode b = (ObjectNode) branches.get(i);
      VerticalLayout row = box();
      row.addClassName("branch-editor");
      TextField name = text(b, "name", "Branch " + (i + 1) + " name", "branches[" + i + "].name");
      HorizontalLayout head = new HorizontalLayout(name);
      head.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
      if (i > 0) {
        head.add(
            iconButton(
                VaadinIcon.ARROW_UP,
                "Move up",
                () -> {
                  JsonNode moved = branches.remove(index);
                  branches.insert(index - 1, moved);
                }));
      }
      head.add(removeButton("Remove branch", () -> branches.remove(index)));
      row.add(head);
      if (parent != null) {
        row.add(new ConditionBuilder(b, "condition", parent, ctx));
      }
      add(row);
    }
    add(
        addButton(
            "Add a branch",
            "add-branch",
            () -> {
              String name = "branch " + (branches.size() + 1);
              branches.addObject().put("name", name);
            }));
  }

  private void split() {
    add(text(node, "salt", "Salt (changing it reshuffles everyone)", "salt"));
    ArrayNode groups = array(node, "groups");
    Span sum = new Span();
    sum.setId("split-sum");
    Runnable total =
        () -> {
          BigDecimal s = BigDecimal.ZERO;
          for (JsonNode g : groups) {
            if (g.path("percent").isNumber()) {
              s = s.add(g.get("percent").decimalValue());
            }
          }
          boolean ok = s.compareTo(BigDecimal.valueOf(100)) == 0;
          sum.setText(
              "Total "
                  + s.stripTrailingZeros().toPlainString()
                  + "%"
                  + (ok ? "" : " (must be 100%)"));
          sum.getElement().getThemeList().set("badge", true);
          sum.getElement().getThemeList().set("error", !ok);
          sum.getElement().getThemeList().set("success", ok);
        };
    for (int i = 0; i < groups.size(); i++) {
      int index = i;
      ObjectNode g = (ObjectNode) groups.get(i);
      HorizontalLayout row = new HorizontalLayout();
      row.addClassName("split-group");
      row.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
      TextField name = text(g, "name", "Group", "groups[" + i + "].name");
      name.setWidth("9em");
      BigDecimalField percent = new BigDecimalField("%");
      percent.setId("field-groups-" + i + "-percent");
      percent.setWidth("6em");
      percent.setValue(g.path("percent").isNumber() ? g.get("percent").decimalValue() : null);
      percent.addValueChangeListener(
          e -> {
            if (e.getValue() == null) {
              g.remove("percent");
            } else {
              g.put("percent", e.getValue());
            }
            total.run();
            changed.run();
          });
      fields.put("groups[" + i + "].percent", percent);
      Checkbox holdout = new Checkbox("Holdout");
      holdout.setId("field-groups-" + i + "-holdout");
      holdout.setValue(g.path("holdout").asBoolean(false));
      holdout.addValueChangeListener(
          e -> {
            if (e.getValue()) {
              g.put("holdout", true);
              g.remove("next");
            } else {
              g.remove("holdout");
            }
            changed.run();
            rerender.run();
          });
      row.add(name, percent, holdout, removeButton("Remove group", () -> groups.remove(index)));
      add(row);
    }
    total.run();
    add(sum);
    add(
        new Paragraph(
            "A holdout group's people leave the journey and are written to the holdout log; the"
                + " same person always lands in the same group."));
    add(
        addButton(
            "Add a group",
            "add-group",
            () -> {
              String name = "group " + (groups.size() + 1);
              groups.addObject().put("name", name).put("percent", 10);
            }));
  }

  private void send() {
    ComboBox<String> destination = new ComboBox<>("Destination");
    destination.setId("field-destination");
    destination.setItems(choices.destinations());
    bindCombo(destination, node, "destination", "destination");
    add(destination);
    ObjectNode identifier = object(node, "identifier");
    HorizontalLayout id =
        new HorizontalLayout(
            sourceChoice(identifier, "from", "Identifier from", "identifier.from", false),
            text(identifier, "to", "sent as", "identifier.to"));
    add(id);
    Select<String> mode = new Select<>();
    mode.setLabel("Mode");
    mode.setId("field-mode");
    mode.setItems("upsert", "insert");
    mode.setValue(node.path("mode").asText("upsert"));
    mode.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            if ("upsert".equals(e.getValue())) {
              node.remove("mode");
            } else {
              node.put("mode", e.getValue());
            }
            changed.run();
          }
        });
    Select<String> onFailure = new Select<>();
    onFailure.setLabel("When the destination rejects the row");
    onFailure.setId("field-onFailure");
    onFailure.setItems("continue", "wait");
    onFailure.setItemLabelGenerator(
        v -> v.equals("wait") ? "Hold the person here until retried" : "Move on (retry later)");
    onFailure.setValue("wait".equals(node.path("onFailure").asText()) ? "wait" : "continue");
    onFailure.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            if ("wait".equals(e.getValue())) {
              node.put("onFailure", "wait");
            } else {
              node.remove("onFailure");
            }
            changed.run();
          }
        });
    add(mode, onFailure);
    add(section("Fields sent"));
    ArrayNode mapping = array(node, "mapping");
    for (int i = 0; i < mapping.size(); i++) {
      int index = i;
      ObjectNode m = (ObjectNode) mapping.get(i);
      HorizontalLayout row =
          new HorizontalLayout(
              sourceChoice(m, "from", "From", "mapping[" + i + "].from", true),
              text(m, "to", "To", "mapping[" + i + "].to"),
              removeButton("Remove field", () -> mapping.remove(index)));
      row.addClassName("mapping-row");
      row.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
      add(row);
    }
    add(addButton("Add a field", "add-mapping", () -> mapping.addObject()));
  }

  // ---------------------------------------------------------------- field helpers

  private TextField text(ObjectNode holder, String field, String label, String path) {
    TextField t = new TextField(label);
    t.setId("field-" + path.replaceAll("[^A-Za-z0-9]+", "-"));
    t.setValue(holder.path(field).isValueNode() ? holder.path(field).asText("") : "");
    t.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            if (e.getValue().isBlank()) {
              holder.remove(field);
            } else {
              holder.put(field, e.getValue().trim());
            }
            changed.run();
          }
        });
    fields.put(path, t);
    return t;
  }

  private void bindCombo(ComboBox<String> combo, ObjectNode holder, String field, String path) {
    String current = holder.path(field).asText(null);
    if (current != null) {
      List<String> items = new ArrayList<>(combo.getListDataView().getItems().toList());
      if (!items.contains(current)) {
        items.add(current);
        combo.setItems(items);
      }
      combo.setValue(current);
    }
    combo.setAllowCustomValue(true);
    combo.addCustomValueSetListener(
        e -> {
          holder.put(field, e.getDetail().trim());
          changed.run();
          rerender.run();
        });
    combo.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            if (e.getValue() == null) {
              holder.remove(field);
            } else {
              holder.put(field, e.getValue());
            }
            changed.run();
          }
        });
    fields.put(path, combo);
  }

  private ComboBox<String> eventType(ObjectNode holder, String field, String label, String path) {
    ComboBox<String> c = new ComboBox<>(label);
    c.setId("field-" + path.replaceAll("[^A-Za-z0-9]+", "-"));
    Set<String> types = new LinkedHashSet<>(choices.eventTypes());
    c.setItems(types);
    c.setHelperText("Any type your events carry; the list shows types seen recently");
    bindCombo(c, holder, field, path);
    return c;
  }

  private ComboBox<String> columnChoice(
      ObjectNode holder, String field, String label, String path) {
    ComboBox<String> c = new ComboBox<>(label);
    c.setId("field-" + path.replaceAll("[^A-Za-z0-9]+", "-"));
    c.setItems(
        parent == null
            ? List.of()
            : parent.columns().stream().map(col -> col.name()).sorted().toList());
    c.setClearButtonVisible(true);
    bindCombo(c, holder, field, path);
    return c;
  }

  /** A mapping source: a parent column, a trait, or (for fields) a property of the entry event. */
  private ComboBox<String> sourceChoice(
      ObjectNode holder, String field, String label, String path, boolean withEvent) {
    ComboBox<String> c = new ComboBox<>(label);
    c.setId("field-" + path.replaceAll("[^A-Za-z0-9]+", "-"));
    List<String> items = new ArrayList<>();
    if (parent != null) {
      parent.columns().stream().map(col -> col.name()).sorted().forEach(items::add);
      choices.sources().catalog().traits(parent).stream()
          .map(t -> t.def().name())
          .sorted()
          .forEach(items::add);
    }
    if (withEvent) {
      choices.eventProperties().forEach(p -> items.add("event.properties." + p));
    }
    c.setItems(items);
    c.setHelperText(withEvent ? "a column, a trait, or event.properties.<name>" : null);
    bindCombo(c, holder, field, path);
    return c;
  }

  private Component duration(ObjectNode holder, String field, String label, String path) {
    Durations.Amount a = Durations.parse(holder.path(field).asText(null));
    IntegerField amount = new IntegerField(label);
    amount.setId("field-" + path.replaceAll("[^A-Za-z0-9]+", "-"));
    amount.setMin(1);
    amount.setStepButtonsVisible(true);
    amount.setWidth("9em");
    Select<Durations.Unit> unit = new Select<>();
    unit.setId("field-" + path.replaceAll("[^A-Za-z0-9]+", "-") + "-unit");
    unit.setAriaLabel(label + " unit");
    unit.setItems(Durations.Unit.values());
    unit.setItemLabelGenerator(Durations.Unit::label);
    unit.setWidth("8em");
    if (a != null) {
      amount.setValue((int) Math.min(Integer.MAX_VALUE, a.amount()));
      unit.setValue(a.unit());
    } else {
      unit.setValue(Durations.Unit.DAYS);
    }
    Runnable write =
        () -> {
          if (amount.getValue() == null) {
            holder.remove(field);
          } else {
            holder.put(field, unit.getValue().iso(amount.getValue()));
          }
          changed.run();
        };
    amount.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            write.run();
          }
        });
    unit.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            write.run();
          }
        });
    fields.put(path, amount);
    HorizontalLayout row = new HorizontalLayout(amount, unit);
    row.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    row.addClassName("duration-field");
    return row;
  }

  /** An event's property filters: {"property", "op", "value"} rows. */
  private Component where(ObjectNode holder, String path) {
    VerticalLayout list = new VerticalLayout();
    list.setPadding(false);
    list.setSpacing(false);
    list.add(new Span("Only events where"));
    ArrayNode where =
        holder.has("where") && holder.get("where").isArray()
            ? (ArrayNode) holder.get("where")
            : null;
    if (where != null) {
      for (int i = 0; i < where.size(); i++) {
        int index = i;
        ObjectNode p = (ObjectNode) where.get(i);
        String at = path + "[" + i + "]";
        ComboBox<String> property = new ComboBox<>("Property");
        property.setId("field-" + at.replaceAll("[^A-Za-z0-9]+", "-") + "-property");
        property.setItems(choices.eventProperties());
        property.setWidth("9em");
        bindCombo(property, p, "property", at + ".property");
        Select<String> op = new Select<>();
        op.setLabel("Operator");
        op.setWidth("8em");
        op.setItems(Op.names());
        op.setValue(p.path("op").asText("eq"));
        op.addValueChangeListener(
            e -> {
              p.put("op", e.getValue());
              Op chosen = Op.ofJson(e.getValue());
              if (chosen != null && "NONE".equals(chosen.value().name())) {
                p.remove("value");
              }
              changed.run();
            });
        fields.put(at + ".op", op);
        TextField value = new TextField("Value");
        value.setWidth("8em");
        value.setValue(p.has("value") ? p.get("value").asText() : "");
        value.addValueChangeListener(
            e -> {
              if (e.isFromClient()) {
                p.set("value", literal(e.getValue()));
                changed.run();
              }
            });
        fields.put(at + ".value", value);
        HorizontalLayout row =
            new HorizontalLayout(
                property, op, value, removeButton("Remove filter", () -> where.remove(index)));
        row.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
        list.add(row);
      }
    }
    list.add(
        addButton(
            "Add a property filter",
            "add-where",
            () ->
                holder
                    .withArray("where")
                    .addObject()
                    .put("property", first(choices.eventProperties(), "value"))
                    // an operator that needs no value, so the draft stays savable until one is
                    // typed
                    .put("op", "is_not_null")));
    return list;
  }

  /** A typed value: a number or boolean when it reads as one, text otherwise. */
  static JsonNode literal(String text) {
    String t = text.trim();
    if (t.equals("true") || t.equals("false")) {
      return F.booleanNode(Boolean.parseBoolean(t));
    }
    try {
      return F.numberNode(new BigDecimal(t));
    } catch (NumberFormatException e) {
      return F.textNode(text);
    }
  }

  private ObjectNode object(ObjectNode holder, String field) {
    JsonNode n = holder.get(field);
    if (n instanceof ObjectNode o) {
      return o;
    }
    ObjectNode fresh = F.objectNode();
    pending.add(() -> attach(holder, field, fresh));
    return fresh;
  }

  private ArrayNode array(ObjectNode holder, String field) {
    JsonNode n = holder.get(field);
    if (n instanceof ArrayNode a) {
      return a;
    }
    ArrayNode fresh = F.arrayNode();
    pending.add(() -> attach(holder, field, fresh));
    return fresh;
  }

  private static void attach(ObjectNode holder, String field, JsonNode fresh) {
    if (!fresh.isEmpty() && holder.get(field) != fresh) {
      holder.set(field, fresh);
    }
  }

  private static String first(List<String> list, String fallback) {
    return list.isEmpty() ? fallback : list.get(0);
  }

  private static Span section(String text) {
    Span s = new Span(text);
    s.addClassName("panel-section");
    return s;
  }

  private static VerticalLayout box() {
    VerticalLayout v = new VerticalLayout();
    v.addClassName("panel-box");
    v.setPadding(true);
    v.setSpacing(false);
    return v;
  }

  private Button addButton(String label, String id, Runnable edit) {
    Button b = new Button(label, VaadinIcon.PLUS.create());
    b.setId(id);
    b.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_SMALL);
    b.addClickListener(
        e -> {
          edit.run();
          changed.run();
          rerender.run();
        });
    return b;
  }

  private Button removeButton(String label, Runnable edit) {
    return iconButton(VaadinIcon.TRASH, label, edit);
  }

  private Button iconButton(VaadinIcon icon, String label, Runnable edit) {
    Button b = new Button(icon.create());
    b.setAriaLabel(label);
    b.setTooltipText(label);
    b.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_SMALL);
    b.addClickListener(
        e -> {
          edit.run();
          changed.run();
          rerender.run();
        });
    return b;
  }
}
