package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.datetimepicker.DateTimePicker;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.NumberField;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.query.audience.Op;
import io.customerstudio.query.schema.ColumnType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * An operator and a value editor that fits it and the column's type: number fields, UTC date-time
 * pickers, "within the last N days", multi-selects with the column's distinct values. Writes the
 * {@code op} and {@code value} fields of its node, and nothing else.
 */
final class Comparison extends HorizontalLayout {

  static final Map<Op, String> LABELS =
      Map.ofEntries(
          Map.entry(Op.EQ, "is"),
          Map.entry(Op.NEQ, "is not"),
          Map.entry(Op.IN, "is one of"),
          Map.entry(Op.NOT_IN, "is none of"),
          Map.entry(Op.GT, "greater than"),
          Map.entry(Op.GTE, "at least"),
          Map.entry(Op.LT, "less than"),
          Map.entry(Op.LTE, "at most"),
          Map.entry(Op.BETWEEN, "between"),
          Map.entry(Op.CONTAINS, "contains"),
          Map.entry(Op.NOT_CONTAINS, "does not contain"),
          Map.entry(Op.STARTS_WITH, "starts with"),
          Map.entry(Op.ENDS_WITH, "ends with"),
          Map.entry(Op.IS_NULL, "is empty"),
          Map.entry(Op.IS_NOT_NULL, "is present"),
          Map.entry(Op.IS_TRUE, "is true"),
          Map.entry(Op.IS_FALSE, "is false"),
          Map.entry(Op.WITHIN_LAST, "within the last"),
          Map.entry(Op.NOT_WITHIN_LAST, "not within the last"),
          Map.entry(Op.BEFORE, "before"),
          Map.entry(Op.AFTER, "after"));

  /** Labels of the time operators, where "greater than" reads oddly. */
  static String label(Op op, ColumnType type) {
    if (type == ColumnType.TIMESTAMP) {
      if (op == Op.GT) {
        return "later than";
      }
      if (op == Op.LT) {
        return "earlier than";
      }
    }
    return LABELS.get(op);
  }

  private final ObjectNode node;
  private final BuilderContext ctx;
  private final Supplier<List<String>> suggestions;
  private final Set<Op> allowed;
  private final Select<Op> op = new Select<>();
  private final HorizontalLayout value = new HorizontalLayout();
  private ColumnType type;

  /**
   * @param allowed the operators offered (those of the type that are also in here); null for all
   */
  Comparison(
      ObjectNode node,
      ColumnType type,
      Supplier<List<String>> suggestions,
      Set<Op> allowed,
      BuilderContext ctx) {
    this.node = node;
    this.ctx = ctx;
    this.suggestions = suggestions;
    this.allowed = allowed;
    setSpacing(true);
    setPadding(false);
    setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    addClassName("comparison");
    op.setAriaLabel("Operator");
    op.addClassName("op");
    op.setItemLabelGenerator(o -> label(o, this.type));
    op.addValueChangeListener(
        e -> {
          if (!e.isFromClient() || e.getValue() == null) {
            return;
          }
          Op before = Op.ofJson(Nodes.text(node, "op"));
          node.put("op", e.getValue().json());
          if (before == null || before.value() != e.getValue().value()) {
            node.remove("value");
            if (e.getValue().value() == Op.Value.DURATION) {
              ObjectNode d = node.putObject("value");
              d.put("amount", 30);
              d.put("unit", "day");
            }
          }
          renderValue();
          ctx.changed();
        });
    value.setSpacing(true);
    value.setPadding(false);
    value.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    add(op, value);
    setType(type);
  }

  /** The column changed: offer its type's operators, keep the operator when it still applies. */
  void setType(ColumnType type) {
    this.type = type;
    List<Op> ops = new ArrayList<>();
    if (type != null) {
      for (Op o : Op.values()) {
        if (o.types().contains(type) && (allowed == null || allowed.contains(o))) {
          ops.add(o);
        }
      }
    }
    op.setItems(ops);
    op.setEnabled(type != null);
    Op current = Op.ofJson(Nodes.text(node, "op"));
    if (current != null && (ops.contains(current) || type == null)) {
      op.setValue(current);
    } else if (type != null && !ops.isEmpty()) {
      Op first = ops.get(0);
      op.setValue(first);
      node.put("op", first.json());
      node.remove("value");
    }
    renderValue();
  }

  private void renderValue() {
    value.removeAll();
    Op o = Op.ofJson(Nodes.text(node, "op"));
    if (o == null || type == null || o.value() == Op.Value.NONE) {
      return;
    }
    JsonNode v = node.get("value");
    if (Nodes.isParam(v)) {
      TextField name = new TextField();
      name.setAriaLabel("Parameter name");
      name.addClassName("param-name");
      name.setPrefixComponent(new Span("{ }"));
      name.setValue(v.get("param").asText());
      name.addValueChangeListener(
          e -> {
            if (e.isFromClient()) {
              ((ObjectNode) v).put("param", e.getValue().strip());
              ctx.changed();
            }
          });
      value.add(name, paramToggle(false));
      return;
    }
    switch (o.value()) {
      case SCALAR -> value.add(scalar(v, x -> node.set("value", x), "Value"));
      case ARRAY -> value.add(array(v));
      case PAIR -> {
        ArrayNode pair = v instanceof ArrayNode a ? a : Nodes.F.arrayNode();
        while (pair.size() < 2) {
          pair.addNull();
        }
        value.add(
            scalar(pair.get(0), x -> setPair(pair, 0, x), "From"),
            new Span("and"),
            scalar(pair.get(1), x -> setPair(pair, 1, x), "To"));
      }
      case DURATION ->
          value.add(
              new DurationEditor(v instanceof ObjectNode d ? d : node.putObject("value"), ctx));
      default -> {}
    }
    if (ctx.templateMode()) {
      value.add(paramToggle(true));
    }
  }

  private void setPair(ArrayNode pair, int index, JsonNode x) {
    pair.set(index, x);
    node.set("value", pair);
  }

  private Button paramToggle(boolean toParam) {
    Button b =
        new Button(
            toParam ? VaadinIcon.CODE.create() : VaadinIcon.CLOSE_SMALL.create(),
            e -> {
              if (toParam) {
                node.putObject("value").put("param", suggestParam());
              } else {
                node.remove("value");
              }
              renderValue();
              ctx.changed();
            });
    b.addThemeVariants(ButtonVariant.LUMO_TERTIARY_INLINE, ButtonVariant.LUMO_SMALL);
    b.addClassName(toParam ? "make-param" : "unmake-param");
    b.setTooltipText(toParam ? "Make this value a template parameter" : "Use a fixed value");
    b.setAriaLabel(b.getTooltip().getText());
    return b;
  }

  private String suggestParam() {
    String base =
        node.has("column")
            ? node.get("column").asText()
            : node.has("trait") ? node.get("trait").asText() : "value";
    return base.replaceAll("[^A-Za-z0-9_]", "_");
  }

  private interface Write {
    void accept(JsonNode value);
  }

  private Component scalar(JsonNode v, Write write, String label) {
    switch (type) {
      case NUMBER -> {
        NumberField f = new NumberField();
        f.setAriaLabel(label);
        f.setPlaceholder(label.equals("Value") ? "number" : label.toLowerCase(Locale.ROOT));
        f.addClassName("value");
        f.setValue(Nodes.decimal(v));
        f.addValueChangeListener(
            e -> {
              if (e.isFromClient()) {
                write.accept(Nodes.number(e.getValue()));
                ctx.changed();
              }
            });
        return f;
      }
      case TIMESTAMP -> {
        DateTimePicker f = new DateTimePicker();
        f.setAriaLabel(label + " (UTC)");
        f.setHelperText("UTC");
        f.addClassName("value");
        f.setValue(Nodes.localTime(v));
        f.addValueChangeListener(
            e -> {
              if (e.isFromClient()) {
                write.accept(Nodes.instant(e.getValue()));
                ctx.changed();
              }
            });
        return f;
      }
      case BOOLEAN -> {
        Select<Boolean> f = new Select<>();
        f.setAriaLabel(label);
        f.addClassName("value");
        f.setItems(true, false);
        f.setItemLabelGenerator(b -> b ? "true" : "false");
        if (v != null && v.isBoolean()) {
          f.setValue(v.booleanValue());
        }
        f.addValueChangeListener(
            e -> {
              if (e.isFromClient() && e.getValue() != null) {
                write.accept(Nodes.F.booleanNode(e.getValue()));
                ctx.changed();
              }
            });
        return f;
      }
      default -> {
        ComboBox<String> f = new ComboBox<>();
        f.setAriaLabel(label);
        f.setPlaceholder("text");
        f.addClassName("value");
        f.setAllowCustomValue(true);
        List<String> items = new ArrayList<>(suggestions.get());
        String current = v != null && v.isTextual() ? v.asText() : null;
        if (current != null && !items.contains(current)) {
          items.add(0, current);
        }
        f.setItems(items);
        f.setValue(current);
        f.addCustomValueSetListener(
            e -> {
              f.setValue(e.getDetail());
              write.accept(Nodes.F.textNode(e.getDetail()));
              ctx.changed();
            });
        f.addValueChangeListener(
            e -> {
              if (e.isFromClient()) {
                write.accept(
                    e.getValue() == null ? Nodes.F.nullNode() : Nodes.F.textNode(e.getValue()));
                ctx.changed();
              }
            });
        return f;
      }
    }
  }

  private Component array(JsonNode v) {
    MultiSelectComboBox<String> f = new MultiSelectComboBox<>();
    f.setAriaLabel("Values");
    f.setPlaceholder("choose or type values");
    f.addClassName("value");
    f.setAllowCustomValue(true);
    Set<String> current = new LinkedHashSet<>();
    if (v instanceof ArrayNode a) {
      a.forEach(x -> current.add(x.asText()));
    }
    Set<String> items = new LinkedHashSet<>(current);
    items.addAll(suggestions.get());
    f.setItems(new ArrayList<>(items));
    f.setValue(current);
    f.setMinWidth("16em");
    Runnable write =
        () -> {
          ArrayNode out = Nodes.F.arrayNode();
          for (String s : f.getSelectedItems()) {
            if (type == ColumnType.NUMBER) {
              try {
                out.add(Nodes.number(Double.valueOf(s)));
              } catch (NumberFormatException notANumber) {
                out.add(s); // the engine names the offending element
              }
            } else {
              out.add(s);
            }
          }
          node.set("value", out);
          ctx.changed();
        };
    f.addCustomValueSetListener(
        e -> {
          Set<String> all = new LinkedHashSet<>(f.getSelectedItems());
          for (String part : Arrays.asList(e.getDetail().split(","))) {
            if (!part.isBlank()) {
              all.add(part.strip());
            }
          }
          Set<String> merged = new LinkedHashSet<>(all);
          merged.addAll(suggestions.get());
          f.setItems(new ArrayList<>(merged));
          f.setValue(all);
          write.run();
        });
    f.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            write.run();
          }
        });
    return f;
  }
}
