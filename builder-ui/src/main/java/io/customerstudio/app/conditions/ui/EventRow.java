package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.datetimepicker.DateTimePicker;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import io.customerstudio.query.schema.SchemaDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * "Performed order_completed at least once within the last 2 weeks": an event model and type, an
 * optional where over the event's columns, a window and a count ("did not perform" included).
 */
final class EventRow extends Div {

  static final List<String> WINDOWS =
      List.of("any", "withinLast", "notWithinLast", "between", "before", "after");

  static final Map<String, String> WINDOW_LABELS =
      Map.of(
          "any", "at any time",
          "withinLast", "within the last",
          "notWithinLast", "but not within the last",
          "between", "between",
          "before", "before",
          "after", "after");

  static final List<String> COUNTS = List.of("gte", "gt", "eq", "lte", "lt", "none");

  static final Map<String, String> COUNT_LABELS =
      Map.of(
          "gte", "at least",
          "gt", "more than",
          "eq", "exactly",
          "lte", "at most",
          "lt", "fewer than",
          "none", "did not perform it");

  private final ObjectNode node;
  private final BuilderContext ctx;
  private final HorizontalLayout windowLine = new HorizontalLayout();
  private final HorizontalLayout countLine = new HorizontalLayout();
  private ModelInfo eventModel;

  EventRow(ObjectNode node, ModelInfo model, BuilderContext ctx) {
    this.node = node;
    this.ctx = ctx;
    addClassName("condition-event");
    List<ModelInfo> events =
        ctx.catalog().models().stream()
            .filter(m -> m.def().kind() == SchemaDocument.Kind.EVENT)
            .filter(m -> ctx.catalog().hops(model).stream().anyMatch(h -> h.to() == m))
            .toList();
    Select<ModelInfo> event = new Select<>();
    event.setAriaLabel("Event model");
    event.addClassName("event-model");
    event.setItems(events);
    event.setItemLabelGenerator(ModelInfo::name);
    eventModel = ctx.catalog().model(Nodes.text(node, "event")).orElse(null);
    event.setValue(eventModel);

    ComboBox<String> eventType = new ComboBox<>();
    eventType.setAriaLabel("Event type");
    eventType.setPlaceholder("any type");
    eventType.addClassName("event-type");
    eventType.setAllowCustomValue(true);
    eventType.setClearButtonVisible(true);
    fillTypes(eventType);
    eventType.addCustomValueSetListener(
        e -> {
          node.put("eventType", e.getDetail());
          fillTypes(eventType);
          ctx.changed();
        });
    eventType.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            if (e.getValue() == null || e.getValue().isBlank()) {
              node.remove("eventType");
            } else {
              node.put("eventType", e.getValue());
            }
            ctx.changed();
          }
        });

    WhereSection where = new WhereSection(node, eventModel, "with properties where…", ctx);
    event.addValueChangeListener(
        e -> {
          if (e.isFromClient() && e.getValue() != null) {
            node.put("event", e.getValue().name());
            node.remove("eventType");
            eventModel = e.getValue();
            fillTypes(eventType);
            where.setModel(eventModel);
            ctx.changed();
          }
        });
    HorizontalLayout first =
        new HorizontalLayout(new Span("performed"), event, new Span("of type"), eventType);
    first.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    first.setWrap(true);
    windowLine.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    windowLine.addClassName("window");
    windowLine.setWrap(true);
    countLine.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    countLine.addClassName("count");
    add(first, where, windowLine, countLine);
    renderWindow();
    renderCount();
  }

  private void fillTypes(ComboBox<String> eventType) {
    List<String> types = new ArrayList<>();
    String typeColumn = eventModel == null ? null : eventModel.def().eventType();
    if (typeColumn != null) {
      types.addAll(ctx.suggestions(eventModel.name(), typeColumn));
    }
    String current = Nodes.text(node, "eventType");
    if (current != null && !types.contains(current)) {
      types.add(0, current);
    }
    eventType.setItems(types);
    eventType.setValue(current);
    eventType.setEnabled(typeColumn != null);
  }

  private void renderWindow() {
    windowLine.removeAll();
    JsonNode w = node.get("window");
    String kind = "any";
    if (w instanceof ObjectNode o && o.size() == 1) {
      kind = o.fieldNames().next();
    }
    Select<String> which = new Select<>();
    which.setAriaLabel("When");
    which.addClassName("window-kind");
    which.setItems(WINDOWS);
    which.setItemLabelGenerator(WINDOW_LABELS::get);
    which.setValue(kind);
    which.addValueChangeListener(
        e -> {
          if (!e.isFromClient() || e.getValue() == null) {
            return;
          }
          switch (e.getValue()) {
            case "any" -> node.remove("window");
            case "withinLast", "notWithinLast" -> {
              ObjectNode d = node.putObject("window").putObject(e.getValue());
              d.put("amount", 30);
              d.put("unit", "day");
            }
            case "between" -> node.putObject("window").putArray("between").addNull().addNull();
            default -> node.putObject("window").putNull(e.getValue());
          }
          renderWindow();
          ctx.changed();
        });
    windowLine.add(which);
    if (!(w instanceof ObjectNode window)) {
      return;
    }
    switch (kind) {
      case "withinLast", "notWithinLast" -> {
        windowLine.add(
            new DurationEditor(
                window.get(kind) instanceof ObjectNode o ? o : window.putObject(kind), ctx));
      }
      case "between" -> {
        ArrayNode pair =
            window.get("between") instanceof ArrayNode a ? a : window.putArray("between");
        while (pair.size() < 2) {
          pair.addNull();
        }
        windowLine.add(time(pair, 0, "From (UTC, inclusive)"), new Span("and"));
        windowLine.add(time(pair, 1, "To (UTC, exclusive)"));
      }
      case "before", "after" -> {
        DateTimePicker t = new DateTimePicker();
        t.setAriaLabel("Time (UTC)");
        t.setHelperText("UTC");
        t.addClassName("window-time");
        t.setValue(Nodes.localTime(window.get(kind)));
        String k = kind;
        t.addValueChangeListener(
            e -> {
              if (e.isFromClient()) {
                window.set(k, Nodes.instant(e.getValue()));
                ctx.changed();
              }
            });
        windowLine.add(t);
      }
      default -> {}
    }
  }

  private DateTimePicker time(ArrayNode pair, int index, String label) {
    DateTimePicker t = new DateTimePicker();
    t.setAriaLabel(label);
    t.setHelperText(label.substring(label.indexOf('(') + 1, label.length() - 1));
    t.addClassName("window-time");
    t.setValue(Nodes.localTime(pair.get(index)));
    t.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            pair.set(index, Nodes.instant(e.getValue()));
            ctx.changed();
          }
        });
    return t;
  }

  private void renderCount() {
    countLine.removeAll();
    JsonNode c = node.get("count");
    String op = "gte";
    Integer times = 1;
    if (c instanceof ObjectNode o) {
      op = Nodes.text(o, "op");
      JsonNode v = o.get("value");
      times = v != null && v.canConvertToInt() ? v.intValue() : null;
      if ("eq".equals(op) && times != null && times == 0) {
        op = "none";
      }
    }
    Select<String> which = new Select<>();
    which.setAriaLabel("How often");
    which.addClassName("count-op");
    which.setItems(COUNTS);
    which.setItemLabelGenerator(COUNT_LABELS::get);
    which.setValue(COUNTS.contains(op) ? op : "gte");
    IntegerField n = new IntegerField();
    n.setAriaLabel("Times");
    n.addClassName("count-value");
    n.setMin(0);
    n.setWidth("9em");
    n.setStepButtonsVisible(true);
    n.setSuffixComponent(new Span("times"));
    n.setValue(times);
    n.setVisible(!"none".equals(which.getValue()));
    which.addValueChangeListener(
        e -> {
          if (!e.isFromClient() || e.getValue() == null) {
            return;
          }
          ObjectNode count = node.putObject("count");
          if (e.getValue().equals("none")) {
            count.put("op", "eq");
            count.put("value", 0);
          } else {
            count.put("op", e.getValue());
            count.put("value", n.getValue() == null || n.getValue() == 0 ? 1 : n.getValue());
          }
          renderCount();
          ctx.changed();
        });
    n.addValueChangeListener(
        e -> {
          if (!e.isFromClient()) {
            return;
          }
          ObjectNode count =
              node.get("count") instanceof ObjectNode o ? o : node.putObject("count");
          if (!count.has("op")) {
            count.put("op", "gte");
          }
          if (e.getValue() == null) {
            count.remove("value");
          } else {
            count.put("value", e.getValue());
          }
          ctx.changed();
        });
    countLine.add(which, n);
  }
}
