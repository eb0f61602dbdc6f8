package io.customerstudio.app.destinations.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.conditions.ConditionSources;
import io.customerstudio.app.conditions.ui.BuilderContext;
import io.customerstudio.app.conditions.ui.ConditionBuilder;
import io.customerstudio.app.destinations.DestinationRules;
import io.customerstudio.app.destinations.DestinationService;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.SchemaDocument;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The "Who may receive" part of a destination's form: the consent purposes every delivered person
 * must allow (the purposes the consent source knows, or typed), and a rule built with the condition
 * builder over a parent model, with how many of an audience's members it keeps out.
 */
final class WhoMayReceiveSection extends VerticalLayout {

  private final ConditionSources sources;
  private final DestinationRules rules;
  private final ObjectNode holder = JsonNodeFactory.instance.objectNode();
  private final MultiSelectComboBox<String> purposes =
      new MultiSelectComboBox<>("Consent purposes");
  private final Select<String> over = new Select<>();
  private final ComboBox<ConditionSources.AudienceChoice> audience = new ComboBox<>("Audience");
  private final Paragraph impact = new Paragraph();
  private final Paragraph problems = new Paragraph();
  private final Div slot = new Div();
  private BuilderContext ctx;

  WhoMayReceiveSection(
      ConditionSources sources,
      DestinationRules rules,
      List<String> knownPurposes,
      DestinationService.DestinationView current) {
    this.sources = sources;
    this.rules = rules;
    setPadding(false);
    setId("destination-who");
    Set<String> items = new LinkedHashSet<>(knownPurposes);
    List<String> selected = current == null ? List.of() : current.consentPurposes();
    items.addAll(selected);
    purposes.setId("destination-purposes");
    purposes.setItems(new ArrayList<>(items));
    purposes.setAllowCustomValue(true);
    purposes.addCustomValueSetListener(
        e -> {
          String typed = e.getDetail().strip();
          if (!typed.isEmpty()) {
            items.add(typed);
            Set<String> now = new LinkedHashSet<>(purposes.getValue());
            now.add(typed);
            purposes.setItems(new ArrayList<>(items));
            purposes.setValue(now);
          }
        });
    purposes.setValue(new LinkedHashSet<>(selected));
    purposes.setHelperText(
        "Every purpose must allow (see Consent); a person who withdraws is removed on the next"
            + " run.");
    purposes.setWidthFull();

    List<String> parents;
    try {
      parents =
          sources.catalog().document().models(SchemaDocument.Kind.PARENT).stream()
              .map(SchemaDocument.Model::name)
              .toList();
    } catch (ValidationException e) {
      parents = List.of(); // no schema yet: no rule to build
    }
    over.setLabel("Rule over");
    over.setId("destination-rule-over");
    over.setItems(parents);
    over.setHelperText("The parent model of the audiences synced here");
    if (current != null && current.rule() != null) {
      holder.set("rule", current.rule().deepCopy());
    }
    audience.setId("destination-impact-audience");
    audience.setItemLabelGenerator(ConditionSources.AudienceChoice::name);
    Button count = new Button("Count", VaadinIcon.CALC.create(), e -> countImpact());
    count.setId("destination-impact-count");
    impact.setId("destination-impact");
    problems.setId("destination-rule-problems");
    problems.addClassName("builder-problems");
    Button clear =
        new Button(
            "No rule",
            e -> {
              holder.remove("rule");
              showBuilder();
            });
    clear.setId("destination-rule-clear");
    HorizontalLayout impactRow = new HorizontalLayout(audience, count, impact);
    impactRow.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    add(
        new H4("Who may receive"),
        purposes,
        new HorizontalLayout(over, clear),
        new Paragraph(
            "Rule: only members who satisfy it are delivered; the others are logged as excluded"
                + " (reason rule)."),
        problems,
        slot,
        impactRow);
    if (!parents.isEmpty()) {
      over.setValue(parents.get(0));
    }
    over.addValueChangeListener(e -> showBuilder());
    showBuilder();
  }

  private void showBuilder() {
    slot.removeAll();
    problems.setText("");
    Catalog.ModelInfo model =
        over.getValue() == null ? null : sources.catalog().model(over.getValue()).orElse(null);
    if (model == null) {
      return;
    }
    ctx = new BuilderContext(sources, null, false, () -> {});
    slot.add(new ConditionBuilder(holder, "rule", model, ctx));
    audience.setItems(
        sources.audiences().stream().filter(a -> model.name().equals(a.parent())).toList());
  }

  private void countImpact() {
    if (audience.getValue() == null) {
      impact.setText("Pick an audience.");
      return;
    }
    try {
      DestinationRules.Impact i = rules.impact(rule(), audience.getValue().key());
      impact.setText(i.excluded() + " of " + i.members() + " members do not satisfy the rule.");
      problems.setText("");
    } catch (ValidationException e) {
      showProblems(ApiException.errorsOf(e));
    }
  }

  /** Shows the service's problems about the rule next to its rows. */
  void showProblems(List<ApiException.FieldError> errors) {
    List<String> general =
        ctx == null
            ? errors.stream().map(ApiException.FieldError::message).toList()
            : ctx.showProblems(holder.get("rule"), "$.rule", errors);
    problems.setText(String.join("; ", general));
  }

  JsonNode rule() {
    return holder.get("rule");
  }

  List<String> consentPurposes() {
    return new ArrayList<>(purposes.getValue());
  }

  MultiSelectComboBox<String> purposesField() {
    return purposes;
  }
}
