package io.customerstudio.app.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.mvysny.kaributesting.v10.ButtonKt;
import com.github.mvysny.kaributesting.v10.ComboBoxKt;
import com.github.mvysny.kaributesting.v10.GridKt;
import com.github.mvysny.kaributesting.v10.HasValueUtilsKt;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.UnorderedList;
import io.customerstudio.app.consent.ConsentService;
import io.customerstudio.query.governance.Consent;
import io.customerstudio.query.governance.ConsentPurposes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * An admin sets the consent source on its page: the semantics are written there, the columns come
 * from the source, the preview counts purposes, and a wrong column is shown on its field.
 */
class ConsentViewTest extends KaribuTestSupport {

  @Autowired ConsentService consent;

  @AfterEach
  void removeConsent() {
    if (consent.current().isPresent()) {
      consent.delete("admin");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void adminMapsTheReceiptsPreviewsAndSaves() {
    login("admin");
    UI.getCurrent().navigate("consent");
    String semantics =
        _get(UnorderedList.class, s -> s.withId("consent-semantics"))
            .getElement()
            .getTextRecursively();
    assertThat(semantics)
        .contains("latest receipt", "tie blocks", "ACTIVE and ALWAYS_ACTIVE allow")
        .contains("WITHDRAWN", "case-insensitively", "removed from upsert and mirror");

    ComboBox<String> table = _get(ComboBox.class, s -> s.withId("consent-table"));
    assertThat(ComboBoxKt.getSuggestions(table)).contains("demo.consent", "demo.users");
    HasValueUtilsKt._setValue(table, "demo.consent");
    ButtonKt._click(_get(Button.class, s -> s.withId("consent-read-columns")));
    ComboBox<String> subject = _get(ComboBox.class, s -> s.withId("consent-subject"));
    assertThat(ComboBoxKt.getSuggestions(subject))
        .contains("data_subject_identifier", "purpose", "status", "updated_at");
    HasValueUtilsKt._setValue(subject, "data_subject_identifier");
    HasValueUtilsKt._setValue(_get(ComboBox.class, s -> s.withId("consent-purpose")), "purpose");
    HasValueUtilsKt._setValue(_get(ComboBox.class, s -> s.withId("consent-status")), "status");
    ComboBox<String> timestamp = _get(ComboBox.class, s -> s.withId("consent-timestamp"));
    HasValueUtilsKt._setValue(timestamp, "collection_point");
    ComboBox<String> parentColumn = _get(ComboBox.class, s -> s.withId("consent-parent-column"));
    assertThat(ComboBoxKt.getSuggestions(parentColumn)).contains("email");
    HasValueUtilsKt._setValue(parentColumn, "email");

    ButtonKt._click(_get(Button.class, s -> s.withId("consent-save")));
    assertThat(timestamp.isInvalid()).isTrue();
    assertThat(timestamp.getErrorMessage()).contains("date or timestamp");
    assertThat(consent.current()).isEmpty();

    HasValueUtilsKt._setValue(timestamp, "updated_at");
    ButtonKt._click(_get(Button.class, s -> s.withId("consent-preview")));
    Grid<ConsentPurposes.Count> purposes = _get(Grid.class, s -> s.withId("consent-purposes"));
    assertThat(GridKt._size(purposes)).isEqualTo(3);
    assertThat(GridKt._get(purposes, 0).purpose()).isEqualTo("advertising");
    ConsentPurposes.Count first = GridKt._get(purposes, 0);
    assertThat(first.allows() + first.blocks() + first.ties()).isEqualTo(first.subjects());

    ButtonKt._click(_get(Button.class, s -> s.withId("consent-save")));
    Consent saved = consent.current().orElseThrow();
    assertThat(saved.table()).isEqualTo("demo.consent");
    assertThat(saved.timestampColumn()).isEqualTo("updated_at");
    assertThat(saved.missingDefaultAllows()).isFalse();

    // the page shows what is saved
    UI.getCurrent().navigate("destinations");
    UI.getCurrent().navigate("consent");
    assertThat(_get(ComboBox.class, s -> s.withId("consent-table")).getValue())
        .isEqualTo("demo.consent");
    assertThat(_get(ComboBox.class, s -> s.withId("consent-timestamp")).getValue())
        .isEqualTo("updated_at");
  }
}
