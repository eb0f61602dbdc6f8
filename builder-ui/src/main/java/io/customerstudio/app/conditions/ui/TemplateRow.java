package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.textfield.NumberField;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.conditions.ConditionSources.TemplateChoice;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import io.customerstudio.query.schema.ColumnType;
import java.util.ArrayList;
import java.util.List;

/**
 * A saved template and its parameters. Each parameter gets the editor of the column it stands for
 * (a number field for a number column), found by looking at where the template uses it.
 */
final class TemplateRow extends Div {

  private final ObjectNode node;
  private final ModelInfo model;
  private final BuilderContext ctx;
  private final HorizontalLayout params = new HorizontalLayout();

  TemplateRow(ObjectNode node, ModelInfo model, BuilderContext ctx) {
    this.node = node;
    this.model = model;
    this.ctx = ctx;
    addClassName("condition-template");
    ComboBox<TemplateChoice> template = new ComboBox<>();
    template.setAriaLabel("Template");
    template.setPlaceholder("template");
    template.addClassName("template-ref");
    List<TemplateChoice> choices = new ArrayList<>(ctx.templates());
    String key = Nodes.text(node, "template");
    TemplateChoice current =
        choices.stream().filter(t -> t.key().equals(key)).findFirst().orElse(null);
    if (current == null && key != null) {
      current = new TemplateChoice(key, key + " (not found)", List.of(), null);
      choices.add(0, current);
    }
    template.setItems(choices);
    template.setItemLabelGenerator(t -> t.name() + " · " + t.key());
    template.setValue(current);
    if (choices.isEmpty()) {
      template.setHelperText("No templates yet: save a group as a template to reuse it.");
    }
    template.addValueChangeListener(
        e -> {
          if (e.isFromClient() && e.getValue() != null) {
            node.put("template", e.getValue().key());
            node.remove("params");
            if (!e.getValue().params().isEmpty()) {
              node.putObject("params");
            }
            renderParams(e.getValue());
            ctx.changed();
          }
        });
    HorizontalLayout line = new HorizontalLayout(template, params);
    line.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    line.setWrap(true);
    params.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    params.setWrap(true);
    add(line);
    renderParams(current);
  }

  private void renderParams(TemplateChoice t) {
    params.removeAll();
    if (t == null) {
      return;
    }
    for (String p : t.params()) {
      ColumnType type =
          t.condition() == null ? null : typeOf(t.condition(), p, model, ctx.catalog());
      JsonNode v = node.path("params").get(p);
      if (type == ColumnType.NUMBER) {
        NumberField f = new NumberField(p);
        f.addClassName("template-param");
        f.setValue(Nodes.decimal(v));
        f.addValueChangeListener(
            e -> {
              if (e.isFromClient()) {
                params().set(p, Nodes.number(e.getValue()));
                ctx.changed();
              }
            });
        params.add(f);
      } else {
        TextField f = new TextField(p);
        f.addClassName("template-param");
        f.setValue(v == null || v.isNull() ? "" : v.isTextual() ? v.asText() : v.toString());
        f.setHelperText(type == null ? "text, or JSON such as [\"DE\",\"FR\"]" : null);
        f.addValueChangeListener(
            e -> {
              if (e.isFromClient()) {
                params().set(p, parse(e.getValue(), type));
                ctx.changed();
              }
            });
        params.add(f);
      }
    }
  }

  private ObjectNode params() {
    return node.get("params") instanceof ObjectNode o ? o : node.putObject("params");
  }

  /** Text stays text for a string column; elsewhere JSON (numbers, lists, durations) is read. */
  private static JsonNode parse(String text, ColumnType type) {
    if (type == ColumnType.STRING) {
      return Nodes.F.textNode(text);
    }
    try {
      return io.customerstudio.app.api.Json.parse(text);
    } catch (RuntimeException notJson) {
      return Nodes.F.textNode(text);
    }
  }

  /** The type of the column or trait whose value is the placeholder {@code param}, if found. */
  static ColumnType typeOf(JsonNode condition, String param, ModelInfo model, Catalog catalog) {
    if (condition == null || !condition.isObject()) {
      return null;
    }
    JsonNode v = condition.get("value");
    if (Nodes.isParam(v) && param.equals(v.get("param").asText())) {
      if (condition.has("column")) {
        return model.column(condition.get("column").asText()).map(c -> c.type()).orElse(null);
      }
      if (condition.has("trait")) {
        return catalog
            .trait(model, condition.get("trait").asText())
            .map(Catalog.TraitInfo::type)
            .orElse(null);
      }
      return null;
    }
    for (JsonNode child : condition.path("conditions")) {
      ColumnType t = typeOf(child, param, model, catalog);
      if (t != null) {
        return t;
      }
    }
    return typeOf(condition.get("condition"), param, model, catalog);
  }
}
