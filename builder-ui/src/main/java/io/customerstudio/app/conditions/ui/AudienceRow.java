package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.select.Select;
import io.customerstudio.app.conditions.ConditionSources.AudienceChoice;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import java.util.ArrayList;
import java.util.List;

/** "Is a member of loyal-customers": another saved audience over the same parent model. */
final class AudienceRow extends HorizontalLayout {

  AudienceRow(ObjectNode node, ModelInfo model, BuilderContext ctx) {
    addClassName("condition-audience");
    setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    setPadding(false);
    Select<String> op = new Select<>();
    op.setAriaLabel("Membership");
    op.addClassName("membership");
    op.setItems("member", "not_member");
    op.setItemLabelGenerator(o -> o.equals("member") ? "is a member of" : "is not a member of");
    op.setValue(Nodes.text(node, "op"));
    op.addValueChangeListener(
        e -> {
          if (e.isFromClient() && e.getValue() != null) {
            node.put("op", e.getValue());
            ctx.changed();
          }
        });
    ComboBox<AudienceChoice> audience = new ComboBox<>();
    audience.setAriaLabel("Audience");
    audience.setPlaceholder("audience");
    audience.addClassName("audience-ref");
    List<AudienceChoice> choices = new ArrayList<>(ctx.audiences(model.name()));
    String key = Nodes.text(node, "audience");
    AudienceChoice current =
        choices.stream().filter(a -> a.key().equals(key)).findFirst().orElse(null);
    if (current == null && key != null) {
      current = new AudienceChoice(key, key + " (not found)", model.name());
      choices.add(0, current);
    }
    audience.setItems(choices);
    audience.setItemLabelGenerator(a -> a.name() + " · " + a.key());
    audience.setValue(current);
    audience.addValueChangeListener(
        e -> {
          if (e.isFromClient() && e.getValue() != null) {
            node.put("audience", e.getValue().key());
            ctx.changed();
          }
        });
    if (choices.isEmpty()) {
      audience.setHelperText("No other saved audience of " + model.name() + " yet.");
    }
    add(op, audience);
  }
}
