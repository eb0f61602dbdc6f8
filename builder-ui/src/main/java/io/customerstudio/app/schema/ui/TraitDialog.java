package io.customerstudio.app.schema.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.conditions.ConditionSources;
import io.customerstudio.app.conditions.ui.BuilderContext;
import io.customerstudio.app.conditions.ui.ConditionBuilder;
import io.customerstudio.app.schema.SchemaService;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.schema.Catalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A trait of any kind: an aggregation over a relationship path (with a where built in the condition
 * builder), a case (first matching condition wins), or a SQL expression over the model's own
 * columns. "Preview values" computes it for the first members from the unsaved schema.
 */
final class TraitDialog extends ItemDialog {

  static final List<String> FUNCTIONS =
      List.of(
          "count", "count_distinct", "sum", "avg", "min", "max", "first", "last", "most_frequent");

  private final SchemaService schema;
  private final Catalog catalog;
  private final BuilderContext ctx;
  private final TextField name = new TextField("Name");
  private final Select<String> model = new Select<>();
  private final Select<String> kind = new Select<>();
  private final Div body = new Div();
  private final Grid<Map<String, Object>> preview = new Grid<>();
  private final Span previewStatus = new Span();
  private final List<ConditionBuilder> builders = new ArrayList<>();
  private final List<String> builderPaths = new ArrayList<>();

  TraitDialog(
      SchemaService schema,
      ConditionSources sources,
      SchemaDraft draft,
      int index,
      ObjectNode item,
      Runnable onSaved) {
    super(
        index < 0 ? "Add a trait" : "Trait " + text(item, "name"),
        draft,
        "traits",
        index,
        item,
        onSaved);
    this.schema = schema;
    this.catalog = sources.catalog();
    this.ctx = new BuilderContext(sources, null, false, () -> {});
    setId("trait-dialog");
    name.setId("trait-name");
    name.setValue(text(item, "name") == null ? "" : text(item, "name"));
    model.setLabel("Model");
    model.setId("trait-model");
    model.setItems(catalog.models().stream().map(Catalog.ModelInfo::name).toList());
    model.setValue(text(item, "model") == null ? firstParent() : text(item, "model"));
    kind.setLabel("Kind");
    kind.setId("trait-kind");
    kind.setItems("aggregation", "case", "sql");
    kind.setItemLabelGenerator(
        k ->
            switch (k) {
              case "aggregation" -> "aggregation over related rows";
              case "case" -> "case: first matching condition";
              default -> "SQL expression (admins only)";
            });
    kind.setValue(text(item, "kind") == null ? "aggregation" : text(item, "kind"));
    kind.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            resetKind();
            render();
          }
        });
    model.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            item.put("model", e.getValue());
            resetKind();
            render();
          }
        });
    fields.put("name", name);
    fields.put("model", model);
    fields.put("kind", kind);
    preview.setId("trait-preview");
    preview.addThemeVariants(GridVariant.LUMO_COMPACT);
    preview.setAllRowsVisible(true);
    preview.setVisible(false);
    Button previewButton = new Button("Preview values", VaadinIcon.EYE.create(), e -> preview());
    previewButton.setId("trait-preview-run");
    previewButton.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    previewStatus.addClassName("hint");
    add(
        new FormLayout(name, model, kind),
        body,
        new H4("Preview"),
        previewButton,
        previewStatus,
        preview);
    render();
  }

  private String firstParent() {
    return catalog.models().stream()
        .filter(m -> m.def().kind() == io.customerstudio.query.schema.SchemaDocument.Kind.PARENT)
        .map(Catalog.ModelInfo::name)
        .findFirst()
        .orElse(null);
  }

  /** Another kind or model: the fields of the old one no longer apply. */
  private void resetKind() {
    for (String f :
        List.of(
            "relationship",
            "function",
            "column",
            "orderBy",
            "where",
            "cases",
            "else",
            "expression",
            "type")) {
      item.remove(f);
    }
  }

  private void render() {
    body.removeAll();
    builders.clear();
    builderPaths.clear();
    Catalog.ModelInfo m = catalog.model(model.getValue()).orElse(null);
    if (m == null) {
      return;
    }
    switch (kind.getValue()) {
      case "aggregation" -> renderAggregation(m);
      case "case" -> renderCase(m);
      default -> renderSql();
    }
  }

  private void renderAggregation(Catalog.ModelInfo m) {
    ComboBox<String> path = new ComboBox<>("Relationship");
    path.setId("trait-relationship");
    offer(path, paths(m), text(item, "relationship"));
    Select<String> function = new Select<>();
    function.setLabel("Function");
    function.setId("trait-function");
    function.setItems(FUNCTIONS);
    function.setItemLabelGenerator(f -> f.replace('_', ' '));
    function.setValue(text(item, "function"));
    ComboBox<String> column = new ComboBox<>("Column");
    column.setId("trait-column");
    column.setClearButtonVisible(true);
    ComboBox<String> orderBy = new ComboBox<>("Ordered by (first / last)");
    orderBy.setId("trait-order-by");
    orderBy.setClearButtonVisible(true);
    Div where = new Div();
    Runnable targetChanged =
        () -> {
          Catalog.ModelInfo target = target(m, path.getValue());
          List<String> cols =
              target == null ? List.of() : target.columns().stream().map(c -> c.name()).toList();
          offer(column, cols, text(item, "column"));
          offer(orderBy, cols, text(item, "orderBy"));
          where.removeAll();
          builders.clear();
          builderPaths.clear();
          if (target != null) {
            ConditionBuilder b = new ConditionBuilder(item, "where", target, ctx);
            builders.add(b);
            builderPaths.add("where");
            where.add(new Span("Only the related rows where (optional):"), b);
          }
        };
    path.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            put(item, "relationship", e.getValue());
            item.remove("where");
            item.remove("column");
            targetChanged.run();
          }
        });
    function.addValueChangeListener(e -> put(item, "function", e.getValue()));
    column.addValueChangeListener(e -> put(item, "column", e.getValue()));
    orderBy.addValueChangeListener(e -> put(item, "orderBy", e.getValue()));
    fields.put("relationship", path);
    fields.put("function", function);
    fields.put("column", column);
    fields.put("orderBy", orderBy);
    targetChanged.run();
    body.add(new FormLayout(path, function, column, orderBy), where);
  }

  private void renderCase(Catalog.ModelInfo m) {
    ArrayNode cases = item.get("cases") instanceof ArrayNode a ? a : item.putArray("cases");
    Div list = new Div();
    Runnable[] redraw = new Runnable[1];
    redraw[0] =
        () -> {
          list.removeAll();
          builders.clear();
          builderPaths.clear();
          for (int i = 0; i < cases.size(); i++) {
            ObjectNode c = (ObjectNode) cases.get(i);
            ConditionBuilder b = new ConditionBuilder(c, "when", m, ctx);
            builders.add(b);
            builderPaths.add("cases[" + i + "].when");
            TextField then = new TextField("then");
            then.addClassName("case-then");
            then.setValue(c.has("then") ? c.get("then").asText() : "");
            then.addValueChangeListener(e -> c.set("then", value(e.getValue())));
            fields.put("cases[" + i + "].then", then);
            int at = i;
            Button remove =
                new Button(
                    VaadinIcon.TRASH.create(),
                    e -> {
                      cases.remove(at);
                      redraw[0].run();
                    });
            remove.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
            remove.setAriaLabel("Remove this case");
            HorizontalLayout head =
                new HorizontalLayout(new H4("When (case " + (i + 1) + ")"), remove);
            head.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
            list.add(head, b, then);
          }
        };
    redraw[0].run();
    Button add =
        new Button(
            "Add a case",
            VaadinIcon.PLUS.create(),
            e -> {
              cases.addObject();
              redraw[0].run();
            });
    add.setId("trait-add-case");
    add.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    TextField otherwise = new TextField("else");
    otherwise.setId("trait-else");
    otherwise.setValue(item.has("else") ? item.get("else").asText() : "");
    otherwise.addValueChangeListener(e -> item.set("else", value(e.getValue())));
    fields.put("else", otherwise);
    body.add(list, add, otherwise);
  }

  private void renderSql() {
    TextArea expression = new TextArea("Expression over the model's own columns");
    expression.setId("trait-expression");
    expression.setWidthFull();
    expression.setPlaceholder("split_part(email, '@', 2)");
    expression.setHelperText("Checked by the warehouse when saved; never spliced unchecked.");
    expression.setValue(item.has("expression") ? item.get("expression").asText() : "");
    expression.addValueChangeListener(e -> put(item, "expression", e.getValue()));
    Select<String> type = new Select<>();
    type.setLabel("Type");
    type.setId("trait-type");
    type.setItems("string", "number", "boolean", "timestamp");
    type.setValue(text(item, "type"));
    type.addValueChangeListener(e -> put(item, "type", e.getValue()));
    fields.put("expression", expression);
    fields.put("type", type);
    body.add(expression, type);
  }

  /** Relationship paths from a model: each hop, and each second hop that does not come back. */
  private List<String> paths(Catalog.ModelInfo m) {
    List<String> out = new ArrayList<>();
    for (Catalog.Hop h : catalog.hops(m)) {
      out.add(h.relationship());
      for (Catalog.Hop h2 : catalog.hops(h.to())) {
        if (h2.to() != m) {
          out.add(h.relationship() + "." + h2.relationship());
        }
      }
    }
    return out;
  }

  private Catalog.ModelInfo target(Catalog.ModelInfo from, String path) {
    if (path == null) {
      return null;
    }
    Catalog.ModelInfo at = from;
    for (String step : path.split("\\.")) {
      Catalog.ModelInfo here = at;
      at = catalog.hop(here, step).map(Catalog.Hop::to).orElse(null);
      if (at == null) {
        return null;
      }
    }
    return at;
  }

  /** A then/else value: a number or boolean when it reads as one, text otherwise. */
  static JsonNode value(String text) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    String t = text.strip();
    if (t.equals("true") || t.equals("false")) {
      return f.booleanNode(Boolean.parseBoolean(t));
    }
    try {
      return f.numberNode(new java.math.BigDecimal(t));
    } catch (NumberFormatException notANumber) {
      return f.textNode(text);
    }
  }

  @Override
  protected boolean write() {
    if (name.getValue().isBlank()) {
      name.setErrorMessage("Give the trait a name, such as lifetime_value.");
      name.setInvalid(true);
      return false;
    }
    put(item, "name", name.getValue());
    put(item, "model", model.getValue());
    put(item, "kind", kind.getValue());
    return true;
  }

  @Override
  protected void showConditionProblems(List<SchemaDraft.Problem> problems) {
    for (int i = 0; i < builders.size(); i++) {
      String prefix = builderPaths.get(i);
      List<ApiException.FieldError> mine =
          problems.stream()
              .filter(p -> p.field().startsWith(prefix))
              .map(p -> new ApiException.FieldError("$." + p.field(), p.message()))
              .toList();
      JsonNode root = prefix.equals("where") ? item : item.get("cases").get(i);
      String base =
          prefix.equals("where") ? "$" : "$." + prefix.substring(0, prefix.lastIndexOf('.'));
      ctx.showProblems(root, base, mine);
    }
  }

  private void preview() {
    if (!write()) {
      return;
    }
    try {
      List<Map<String, Object>> rows =
          schema.previewTrait(
              draft.with("traits", index, item), model.getValue(), name.getValue().strip(), 5);
      preview.removeAllColumns();
      if (!rows.isEmpty()) {
        for (String c : rows.get(0).keySet()) {
          preview
              .addColumn(r -> r.get(c) == null ? "—" : String.valueOf(r.get(c)))
              .setHeader(c)
              .setAutoWidth(true);
        }
      }
      preview.setItems(rows);
      preview.setVisible(true);
      previewStatus.setText("The first " + rows.size() + " members, computed from this draft.");
      show(List.of());
    } catch (ValidationException e) {
      preview.setVisible(false);
      previewStatus.setText("Fix the problems shown first.");
      show(
          SchemaDraft.relative(
              "traits", draft.indexFor("traits", index), ApiException.errorsOf(e)));
    } catch (ApiException e) {
      preview.setVisible(false);
      show(
          SchemaDraft.relative(
              "traits",
              draft.indexFor("traits", index),
              e.errors().isEmpty()
                  ? List.of(new ApiException.FieldError("$", e.getMessage()))
                  : e.errors()));
    }
  }
}
