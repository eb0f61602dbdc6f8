package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import io.customerstudio.query.audience.TimeUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * "30 days": the {@code {"amount": N, "unit": U}} of a within-last operator or an event window.
 * Writes the two fields of its node, and nothing else.
 */
final class DurationEditor extends HorizontalLayout {

  DurationEditor(ObjectNode duration, BuilderContext ctx) {
    setPadding(false);
    setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    IntegerField amount = new IntegerField();
    amount.setAriaLabel("Amount");
    amount.addClassName("amount");
    amount.setMin(1);
    amount.setStepButtonsVisible(true);
    amount.setWidth("7em");
    if (duration.has("amount") && duration.get("amount").canConvertToInt()) {
      amount.setValue(duration.get("amount").intValue());
    }
    amount.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            if (e.getValue() == null) {
              duration.remove("amount");
            } else {
              duration.put("amount", e.getValue());
            }
            ctx.changed();
          }
        });
    Select<String> unit = new Select<>();
    unit.setAriaLabel("Unit");
    unit.addClassName("unit");
    List<String> names = new ArrayList<>();
    for (TimeUnit u : TimeUnit.values()) {
      names.add(u.json());
    }
    unit.setItems(names);
    unit.setItemLabelGenerator(u -> u + "s");
    unit.setWidth("8em");
    unit.setValue(Nodes.text(duration, "unit"));
    unit.addValueChangeListener(
        e -> {
          if (e.isFromClient()) {
            duration.put("unit", e.getValue());
            ctx.changed();
          }
        });
    add(amount, unit);
  }
}
