package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import java.util.List;

/** "lifetime value greater than 1000": a trait of the current model, compared like a column. */
final class TraitRow extends HorizontalLayout {

  TraitRow(ObjectNode node, ModelInfo model, BuilderContext ctx) {
    addClassName("condition-trait");
    setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    setPadding(false);
    setWrap(true);
    ComboBox<Catalog.TraitInfo> trait = new ComboBox<>();
    trait.setAriaLabel("Trait of " + model.name());
    trait.setPlaceholder("trait of " + model.name());
    trait.addClassName("trait");
    trait.setWidth("16em");
    List<Catalog.TraitInfo> traits = List.copyOf(ctx.catalog().traits(model));
    trait.setItems(traits);
    trait.setItemLabelGenerator(t -> t.def().name() + " · " + PropertyRow.typeName(t.type()));
    Catalog.TraitInfo current = ctx.catalog().trait(model, Nodes.text(node, "trait")).orElse(null);
    trait.setValue(current);
    Comparison comparison =
        new Comparison(node, current == null ? null : current.type(), List::of, null, ctx);
    trait.addValueChangeListener(
        e -> {
          if (e.isFromClient() && e.getValue() != null) {
            node.put("trait", e.getValue().def().name());
            comparison.setType(e.getValue().type());
            ctx.changed();
          }
        });
    add(trait, comparison);
    if (traits.isEmpty()) {
      trait.setHelperText(
          "No traits on " + model.name() + " yet: an admin defines them in Schema.");
    }
  }
}
