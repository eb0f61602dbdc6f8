package io.customerstudio.app.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._find;
import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.mvysny.kaributesting.v10.ButtonKt;
import com.github.mvysny.kaributesting.v10.GridKt;
import com.github.mvysny.kaributesting.v10.HasValueUtilsKt;
import com.github.mvysny.kaributesting.v10.NotificationsKt;
import com.github.mvysny.kaributesting.v10.pro.ConfirmDialogKt;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.confirmdialog.ConfirmDialog;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.tabs.TabSheet;
import com.vaadin.flow.component.textfield.NumberField;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.conditions.ui.ConditionBuilder;
import io.customerstudio.app.templates.TemplateService;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Versions with a readable diff and restore, duplicate, delete refused while in use, and templates
 * made from a group with a parameter, whose edit names the audiences it changes.
 */
class AudienceLifecycleViewTest extends KaribuTestSupport {

  static final ObjectMapper JSON = new ObjectMapper();

  @Autowired AudienceService audiences;
  @Autowired TemplateService templates;

  @Test
  void versionsShowAReadableDiffAndRestore() throws Exception {
    login("admin");
    audiences.create("lc-versions", "Versions", null, JSON.readTree(def("DE")), "admin");
    audiences.update("lc-versions", "Versions", null, JSON.readTree(def("FR")), "admin");
    UI.getCurrent().navigate("audiences/edit/lc-versions");
    _get(TabSheet.class, s -> s.withId("audience-tabs")).setSelectedIndex(3);
    Grid<?> versions = _get(Grid.class, s -> s.withId("versions"));
    assertThat(GridKt._size(versions)).isEqualTo(2);
    GridKt._clickItem(versions, 0); // v2, newest first
    List<String> added =
        _find(
                _get(Div.class, s -> s.withId("version-diff")),
                Div.class,
                s -> s.withClasses("diff-added"))
            .stream()
            .map(Div::getText)
            .toList();
    List<String> removed =
        _find(
                _get(Div.class, s -> s.withId("version-diff")),
                Div.class,
                s -> s.withClasses("diff-removed"))
            .stream()
            .map(Div::getText)
            .toList();
    assertThat(added).containsExactly("+ country is FR");
    assertThat(removed).containsExactly("− country is DE");

    GridKt._clickItem(versions, 1); // v1
    ButtonKt._click(_get(Button.class, s -> s.withId("version-restore")));
    // a restore saves a new version: it asks first, and nothing is saved until confirmed
    ConfirmDialog confirm = _get(ConfirmDialog.class, s -> s.withId("confirm-restore"));
    assertThat(ConfirmDialogKt.getHeader(confirm)).isEqualTo("Restore version 1?");
    assertThat(audiences.get("lc-versions").version()).isEqualTo(2);
    ConfirmDialogKt._fireConfirm(confirm);
    assertThat(audiences.get("lc-versions").version()).isEqualTo(3);
    assertThat(audiences.get("lc-versions").definition().toString()).contains("\"DE\"");
    // the editor shows the restored version at once, without a reload
    _get(TabSheet.class, s -> s.withId("audience-tabs")).setSelectedIndex(3);
    assertThat(GridKt._size(_get(Grid.class, s -> s.withId("versions")))).isEqualTo(3);
    assertThat(_find(ConditionBuilder.class)).hasSize(1);
  }

  @Test
  void afterTheFirstSaveTheBuilderIsShownOnce() {
    login("admin");
    UI.getCurrent().navigate("audiences/edit");
    assertThat(_find(ConditionBuilder.class)).hasSize(1);
    HasValueUtilsKt._setValue(
        _get(TextField.class, s -> s.withId("audience-name")), "Everyone, saved once");
    // the key follows the name until a person types one
    assertThat(_get(TextField.class, s -> s.withId("audience-key")).getValue())
        .isEqualTo("everyone-saved-once");
    ButtonKt._click(_get(Button.class, s -> s.withId("audience-save")));

    assertThat(UI.getCurrent().getInternals().getActiveViewLocation().getPath())
        .isEqualTo("audiences/edit/everyone-saved-once");
    assertThat(_find(ConditionBuilder.class)).hasSize(1);
    assertThat(_find(Div.class, s -> s.withId("builder"))).hasSize(1);
    // and after a second save, still one
    ButtonKt._click(_get(Button.class, s -> s.withId("audience-save")));
    assertThat(_find(ConditionBuilder.class)).hasSize(1);
    assertThat(audiences.get("everyone-saved-once").version()).isEqualTo(2);
  }

  @Test
  void theListShowsTheLiveCountOfTheSavedDefinitionWithItsTime() throws Exception {
    login("admin");
    audiences.create(
        "lc-counted", "Counted in the builder", null, JSON.readTree(def("ES")), "admin");
    UI.getCurrent().navigate("audiences");
    assertThat(listRow("lc-counted")).contains("", "not counted yet");

    // opening it counts the saved definition: the list keeps that size
    UI.getCurrent().navigate("audiences/edit/lc-counted");
    awaitUi(
        () ->
            "idle"
                .equals(
                    _get(Div.class, s -> s.withId("size-panel"))
                        .getElement()
                        .getAttribute("data-state")));
    long count =
        audiences
            .preview(new AudienceService.Target(null, "lc-counted"), null, null, 0, List.of())
            .count();
    UI.getCurrent().navigate("audiences");
    List<String> row = listRow("lc-counted");
    assertThat(row.get(3)).isEqualTo(String.format(java.util.Locale.ENGLISH, "%,d", count));
    assertThat(row.get(4)).matches("live count, \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}");

    // a new definition makes the old size meaningless: not shown
    audiences.update(
        "lc-counted", "Counted in the builder", null, JSON.readTree(def("PT")), "admin");
    UI.getCurrent().navigate("audiences");
    assertThat(listRow("lc-counted").get(4)).isEqualTo("not counted yet");
  }

  private static List<String> listRow(String key) {
    Grid<?> grid = _get(Grid.class, s -> s.withId("audiences"));
    for (int i = 0; i < GridKt._size(grid); i++) {
      List<String> row = GridKt._getFormattedRow(grid, i);
      if (row.get(1).equals(key)) {
        return row;
      }
    }
    throw new AssertionError("no audience " + key + " in the list");
  }

  @Test
  void duplicateStartsANewAudienceFromACopy() throws Exception {
    login("admin");
    audiences.create("lc-original", "Original", "d", JSON.readTree(def("NL")), "admin");
    UI.getCurrent().navigate("audiences/edit/lc-original");
    ButtonKt._click(_get(Button.class, s -> s.withId("audience-duplicate")));
    assertThat(_get(TextField.class, s -> s.withId("audience-name")).getValue())
        .isEqualTo("Copy of Original");
    assertThat(_get(TextField.class, s -> s.withId("audience-key")).getValue())
        .isEqualTo("lc-original-copy");
    ButtonKt._click(_get(Button.class, s -> s.withId("audience-save")));
    assertThat(audiences.get("lc-original-copy").definition())
        .isEqualTo(audiences.get("lc-original").definition());
  }

  @Test
  void deleteIsRefusedWhileAnotherAudienceUsesItAndNamesIt() throws Exception {
    login("admin");
    audiences.create("lc-base", "Base", null, JSON.readTree(def("IT")), "admin");
    audiences.create(
        "lc-user",
        "User",
        null,
        JSON.readTree(
            "{\"parent\": \"users\", \"filter\": {\"type\": \"audience\", \"audience\": \"lc-base\", \"op\": \"member\"}}"),
        "admin");
    UI.getCurrent().navigate("audiences/edit/lc-base");
    ButtonKt._click(_get(Button.class, s -> s.withId("audience-delete")));
    ConfirmDialogKt._fireConfirm(_get(ConfirmDialog.class));
    NotificationsKt.expectNotifications(
        "Audience 'lc-base' is used by audience(s) [lc-user]; remove those conditions first");
    assertThat(audiences.list(null)).anyMatch(a -> a.key().equals("lc-base"));
  }

  @Test
  void groupSavedAsTemplateWithAParameterAndItsEditNamesTheAudiences() throws Exception {
    login("admin");
    audiences.create(
        "lc-rich",
        "Rich",
        null,
        JSON.readTree(
            "{\"parent\": \"users\", \"filter\": {\"type\": \"and\", \"conditions\": ["
                + "{\"type\": \"trait\", \"trait\": \"lifetime_value\", \"op\": \"gte\", \"value\": 500}]}}"),
        "admin");
    UI.getCurrent().navigate("audiences/edit/lc-rich");
    ButtonKt._click(_get(Button.class, s -> s.withClasses("group-as-template")));
    assertThat(UI.getCurrent().getInternals().getActiveViewLocation().getPath())
        .isEqualTo("templates/edit");

    // mark the value as a parameter, name and save the template
    ButtonKt._click(_get(Button.class, s -> s.withClasses("make-param")));
    TextField param = _get(TextField.class, s -> s.withClasses("param-name"));
    HasValueUtilsKt._setValue(param, "min");
    HasValueUtilsKt._setValue(
        _get(TextField.class, s -> s.withId("template-key")), "lc-ltv-at-least");
    HasValueUtilsKt._setValue(
        _get(TextField.class, s -> s.withId("template-name")), "LTV at least");
    assertThat(_get(Paragraph.class, s -> s.withId("template-params")).getText())
        .isEqualTo("Parameters: min");
    ButtonKt._click(_get(Button.class, s -> s.withId("template-save")));
    TemplateService.TemplateView t = templates.get("lc-ltv-at-least");
    assertThat(t.params()).containsExactly("min");
    assertThat(t.condition())
        .isEqualTo(
            JSON.readTree(
                "{\"type\": \"and\", \"conditions\": [{\"type\": \"trait\", \"trait\": \"lifetime_value\","
                    + " \"op\": \"gte\", \"value\": {\"param\": \"min\"}}]}"));

    // an audience uses it; editing the template names that audience before saving
    audiences.create(
        "lc-uses-template",
        "Uses template",
        null,
        JSON.readTree(
            "{\"parent\": \"users\", \"filter\": {\"type\": \"template\", \"template\": \"lc-ltv-at-least\", \"params\": {\"min\": 100}}}"),
        "admin");
    UI.getCurrent().navigate("templates/edit/lc-ltv-at-least");
    assertThat(_get(Paragraph.class, s -> s.withId("template-used-by")).getText())
        .contains("lc-uses-template");
    ButtonKt._click(_get(Button.class, s -> s.withId("template-save")));
    assertThat(ConfirmDialogKt.getText(_get(ConfirmDialog.class))).contains("lc-uses-template");

    // and the template row in the builder offers its parameter as a number
    UI.getCurrent().navigate("audiences/edit/lc-uses-template");
    assertThat(_get(NumberField.class, s -> s.withClasses("template-param")).getValue())
        .isEqualTo(100.0);
  }

  private static String def(String country) {
    return "{\"parent\": \"users\", \"filter\": {\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \""
        + country
        + "\"}}";
  }
}
