package io.customerstudio.app.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.mvysny.kaributesting.v10.ButtonKt;
import com.github.mvysny.kaributesting.v10.ComboBoxKt;
import com.github.mvysny.kaributesting.v10.GridKt;
import com.github.mvysny.kaributesting.v10.HasValueUtilsKt;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.textfield.IntegerField;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.conditions.ConditionSources;
import io.customerstudio.app.destinations.DestinationService;
import io.customerstudio.infra.warehouse.Warehouse;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * An admin edits who a destination may receive: consent purposes (typed ones too), the rule loaded
 * into the condition builder, the number the rule keeps out of an audience, the outage budget.
 */
class WhoMayReceiveViewTest extends KaribuTestSupport {

  static final ObjectMapper JSON = new ObjectMapper();

  @Autowired DestinationService destinations;
  @Autowired AudienceService audiences;
  @Autowired Warehouse warehouse;

  @Test
  @SuppressWarnings("unchecked")
  void adminSetsPurposesSeesTheRulesImpactAndSaves() throws Exception {
    login("admin");
    if (audiences.list(null).stream().noneMatch(a -> a.key().equals("ui-who-opted-in"))) {
      audiences.create(
          "ui-who-opted-in",
          "Who: opted in",
          null,
          JSON.readTree(
              "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"marketing_opt_in\", \"op\": \"eq\", \"value\": true}}"),
          "admin");
    }
    destinations.create(
        "ui-who",
        "Who hook",
        "webhook",
        JSON.readTree(
            "{\"url\": \"http://127.0.0.1:9/hook\", \"signingSecret\": \"whsec-0123456789abcdef\"}"),
        new DestinationService.WhoMayReceive(
            JSON.readTree(
                "{\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"DE\"}"),
            List.of("Advertising")),
        "admin");

    UI.getCurrent().navigate("destinations");
    Grid<DestinationService.DestinationView> grid = _get(Grid.class, s -> s.withId("destinations"));
    int row = 0;
    while (!GridKt._get(grid, row).key().equals("ui-who")) {
      row++;
    }
    HorizontalLayout actions = (HorizontalLayout) GridKt._getCellComponent(grid, row, "actions");
    ButtonKt._click((Button) actions.getComponentAt(1));

    MultiSelectComboBox<String> purposes =
        _get(MultiSelectComboBox.class, s -> s.withId("destination-purposes"));
    assertThat(purposes.getValue()).containsExactly("advertising");
    Set<String> chosen = new LinkedHashSet<>(purposes.getValue());
    chosen.add("email_marketing");
    HasValueUtilsKt._setValue(purposes, chosen);

    ComboBox<ConditionSources.AudienceChoice> audience =
        _get(ComboBox.class, s -> s.withId("destination-impact-audience"));
    ComboBoxKt.selectByLabel(audience, "Who: opted in");
    ButtonKt._click(_get(Button.class, s -> s.withId("destination-impact-count")));
    long members =
        warehouse
            .dsl()
            .fetchOne("select count(*) from demo.users where marketing_opt_in")
            .get(0, Long.class);
    long excluded =
        warehouse
            .dsl()
            .fetchOne(
                "select count(*) from demo.users where marketing_opt_in"
                    + " and not coalesce(country = 'DE', false)")
            .get(0, Long.class);
    assertThat(_get(Paragraph.class, s -> s.withId("destination-impact")).getText())
        .isEqualTo(excluded + " of " + members + " members do not satisfy the rule.");

    IntegerField budget = _get(IntegerField.class, s -> s.withId("destination-outage-budget"));
    HasValueUtilsKt._setValue(budget, 0);
    ButtonKt._click(_get(Button.class, s -> s.withId("destination-save")));
    assertThat(budget.isInvalid()).isTrue();
    HasValueUtilsKt._setValue(budget, 45);
    ButtonKt._click(_get(Button.class, s -> s.withId("destination-save")));

    DestinationService.DestinationView saved = destinations.get("ui-who");
    assertThat(saved.consentPurposes()).containsExactly("advertising", "email_marketing");
    assertThat(saved.rule().get("column").asText()).isEqualTo("country");
    assertThat(saved.config().get("outageBudgetMinutes").asInt()).isEqualTo(45);

    // clearing the rule saves a destination without one
    ButtonKt._click(
        (Button)
            ((HorizontalLayout) GridKt._getCellComponent(grid, row, "actions")).getComponentAt(1));
    ButtonKt._click(_get(Button.class, s -> s.withId("destination-rule-clear")));
    ButtonKt._click(_get(Button.class, s -> s.withId("destination-save")));
    assertThat(destinations.get("ui-who").rule()).isNull();
    destinations.delete("ui-who", "admin");
  }
}
