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
    assertThat(audiences.get("lc-versions").version()).isEqualTo(3);
    assertThat(audiences.get("lc-versions").definition().toString()).contains("\"DE\"");
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
