package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.select.Select;
import io.customerstudio.query.audience.AggFunction;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import io.customerstudio.query.schema.Column;
import io.customerstudio.query.schema.ColumnType;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * "Has purchases where status is paid, with a sum of amount at least 1000": a relationship, an
 * optional where over the related rows, and either "at least one exists" or an aggregate.
 */
final class RelationRow extends Div {

  static final Map<String, String> FUNCTIONS =
      Map.of(
          "count", "number of them",
          "count_distinct", "number of distinct",
          "sum", "sum of",
          "avg", "average of",
          "min", "smallest",
          "max", "largest");

  /** Aggregates a relation condition takes (the spec's section 3; first/last are for traits). */
  static final List<String> ORDER =
      List.of("exists", "count", "count_distinct", "sum", "avg", "min", "max");

  private final ObjectNode node;
  private final BuilderContext ctx;
  private final HorizontalLayout aggregateLine = new HorizontalLayout();
  private ModelInfo target;

  RelationRow(ObjectNode node, ModelInfo model, BuilderContext ctx) {
    this.node = node;
    this.ctx = ctx;
    addClassName("condition-relation");
    Select<Catalog.Hop> relationship = new Select<>();
    relationship.setAriaLabel("Relationship");
    relationship.addClassName("relationship");
    List<Catalog.Hop> hops = ctx.catalog().hops(model);
    relationship.setItems(hops);
    relationship.setItemLabelGenerator(h -> h.relationship() + " (" + h.to().name() + ")");
    relationship.setEmptySelectionAllowed(false);
    relationship.setPlaceholder("relationship");
    Catalog.Hop current =
        hops.stream()
            .filter(h -> h.relationship().equals(Nodes.text(node, "relationship")))
            .findFirst()
            .orElse(null);
    relationship.setValue(current);
    target = current == null ? null : current.to();

    WhereSection where = new WhereSection(node, target, "only those where…", ctx);
    relationship.addValueChangeListener(
        e -> {
          if (e.isFromClient() && e.getValue() != null) {
            node.put("relationship", e.getValue().relationship());
            target = e.getValue().to();
            where.setModel(target);
            if (node.has("aggregate")) {
              node.remove("aggregate");
            }
            renderAggregate();
            ctx.changed();
          }
        });
    HorizontalLayout first = new HorizontalLayout(new Span("has"), relationship);
    first.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    aggregateLine.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    aggregateLine.addClassName("aggregate");
    aggregateLine.setWrap(true);
    add(first, where, aggregateLine);
    renderAggregate();
  }

  private void renderAggregate() {
    aggregateLine.removeAll();
    Select<String> function = new Select<>();
    function.setAriaLabel("Aggregate");
    function.addClassName("function");
    function.setItems(ORDER);
    function.setItemLabelGenerator(f -> f.equals("exists") ? "at least one" : FUNCTIONS.get(f));
    JsonNode agg = node.get("aggregate");
    String fn = agg instanceof ObjectNode a ? Nodes.text(a, "function") : "exists";
    function.setValue(fn == null ? "exists" : fn);
    function.addValueChangeListener(
        e -> {
          if (!e.isFromClient() || e.getValue() == null) {
            return;
          }
          if (e.getValue().equals("exists")) {
            node.remove("aggregate");
          } else {
            ObjectNode a =
                node.get("aggregate") instanceof ObjectNode o ? o : node.putObject("aggregate");
            String before = Nodes.text(a, "function");
            a.put("function", e.getValue());
            if (e.getValue().equals("count")) {
              a.remove("column");
            }
            if (before == null || type(before, a) != type(e.getValue(), a)) {
              a.remove("op");
              a.remove("value");
            }
          }
          renderAggregate();
          ctx.changed();
        });
    aggregateLine.add(function);
    if (!(agg instanceof ObjectNode a) || target == null) {
      return;
    }
    if (!"count".equals(Nodes.text(a, "function"))) {
      ComboBox<Column> column = new ComboBox<>();
      column.setAriaLabel("Column of " + target.name());
      column.setPlaceholder("column of " + target.name());
      column.addClassName("aggregate-column");
      AggFunction f = AggFunction.ofJson(Nodes.text(a, "function"));
      Set<ColumnType> types =
          f == AggFunction.SUM || f == AggFunction.AVG
              ? EnumSet.of(ColumnType.NUMBER)
              : EnumSet.complementOf(EnumSet.of(ColumnType.JSON));
      column.setItems(target.columns().stream().filter(c -> types.contains(c.type())).toList());
      column.setItemLabelGenerator(c -> c.name() + " · " + PropertyRow.typeName(c.type()));
      column.setValue(target.column(Nodes.text(a, "column")).orElse(null));
      column.addValueChangeListener(
          e -> {
            if (e.isFromClient() && e.getValue() != null) {
              ColumnType before = type(Nodes.text(a, "function"), a);
              a.put("column", e.getValue().name());
              if (before != type(Nodes.text(a, "function"), a)) {
                a.remove("op");
                a.remove("value");
              }
              renderAggregate();
              ctx.changed();
            }
          });
      aggregateLine.add(column);
    }
    ColumnType t = type(Nodes.text(a, "function"), a);
    if (t != null) {
      aggregateLine.add(new Comparison(a, t, List::of, null, ctx));
    }
  }

  /** The type an aggregate's comparison takes: a count is a number, a min of dates a date. */
  private ColumnType type(String function, ObjectNode aggregate) {
    if (function == null) {
      return null;
    }
    AggFunction f = AggFunction.ofJson(function);
    if (f == AggFunction.COUNT || f == AggFunction.COUNT_DISTINCT) {
      return ColumnType.NUMBER;
    }
    if (f == AggFunction.SUM || f == AggFunction.AVG) {
      return ColumnType.NUMBER;
    }
    if (target == null) {
      return null;
    }
    return target.column(Nodes.text(aggregate, "column")).map(Column::type).orElse(null);
  }
}
