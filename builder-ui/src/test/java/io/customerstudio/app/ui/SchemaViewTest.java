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
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.tabs.TabSheet;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.schema.SchemaService;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** An admin sets up models, relationships and traits; problems show next to their field. */
class SchemaViewTest extends KaribuTestSupport {

  @Autowired SchemaService schema;

  @Test
  void modelsShowColumnsAndSampleRows() {
    login("admin");
    UI.getCurrent().navigate("schema");
    Grid<?> models = _get(Grid.class, s -> s.withId("schema-models"));
    assertThat(GridKt._size(models)).isEqualTo(5);
    GridKt._clickItem(models, 0);
    Grid<?> columns = _get(Grid.class, s -> s.withId("schema-columns"));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < GridKt._size(columns); i++) {
      names.add(GridKt._getFormattedRow(columns, i).get(0));
    }
    assertThat(names).contains("user_id", "email", "country", "signup_at");
    assertThat(GridKt._getFormattedRow(columns, names.indexOf("signup_at")).get(1))
        .isEqualTo("timestamp");
    assertThat(GridKt._size(_get(Grid.class, s -> s.withId("schema-sample")))).isEqualTo(20);
  }

  @Test
  void sqlTraitIsCheckedByTheWarehousePreviewedAndSaved() {
    login("admin");
    UI.getCurrent().navigate("schema");
    _get(TabSheet.class, s -> s.withId("schema-tabs")).setSelectedIndex(2);
    ButtonKt._click(_get(Button.class, s -> s.withId("add-trait-def")));
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("trait-name")), "email_domain");
    ComboBoxKt.selectByLabel(
        _get(Select.class, s -> s.withId("trait-kind")), "SQL expression (admins only)");
    TextArea expression = _get(TextArea.class, s -> s.withId("trait-expression"));
    HasValueUtilsKt._setValue(expression, "split_part(emial, '@', 2)");
    ComboBoxKt.selectByLabel(_get(Select.class, s -> s.withId("trait-type")), "string");

    // a typo: the warehouse's verdict appears next to the expression, nothing is saved
    ButtonKt._click(_get(Button.class, s -> s.withId("schema-item-save")));
    assertThat(expression.isInvalid()).isTrue();
    assertThat(expression.getErrorMessage()).contains("emial");
    assertThat(schema.current().document().path("traits").toString())
        .doesNotContain("email_domain");

    HasValueUtilsKt._setValue(expression, "split_part(email, '@', 2)");
    ButtonKt._click(_get(Button.class, s -> s.withId("trait-preview-run")));
    Grid<?> preview = _get(Grid.class, s -> s.withId("trait-preview"));
    assertThat(GridKt._size(preview)).isEqualTo(5);
    assertThat(GridKt._getFormattedRow(preview, 0))
        .anyMatch(v -> v.contains(".") && !v.contains("@"));

    ButtonKt._click(_get(Button.class, s -> s.withId("schema-item-save")));
    assertThat(schema.current().document().path("traits").toString()).contains("email_domain");

    // and out again, so other tests see the demo schema
    Grid<?> traits = _get(Grid.class, s -> s.withId("schema-traits"));
    int last = GridKt._size(traits) - 1;
    assertThat(GridKt._getFormattedRow(traits, last).get(0)).isEqualTo("email_domain");
    ButtonKt._click((Button) GridKt._getCellComponent(traits, last, "edit"));
    ButtonKt._click(_get(Button.class, s -> s.withText("Delete")));
    assertThat(schema.current().document().path("traits").toString())
        .doesNotContain("email_domain");
  }

  @Test
  void relationshipProblemsShowAtTheJoinColumn() {
    login("admin");
    UI.getCurrent().navigate("schema");
    _get(TabSheet.class, s -> s.withId("schema-tabs")).setSelectedIndex(1);
    ButtonKt._click(_get(Button.class, s -> s.withId("add-relationship")));
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("relationship-name")), "buyer");
    ComboBoxKt.selectByLabel(_get(Select.class, s -> s.withId("relationship-from")), "purchases");
    ComboBoxKt.selectByLabel(_get(Select.class, s -> s.withId("relationship-to")), "users");
    ComboBoxKt.selectByLabel(
        _get(Select.class, s -> s.withId("relationship-cardinality")), "many to one");
    ComboBox<?> from = _get(ComboBox.class, s -> s.withClasses("pair-from"));
    ComboBox<?> to = _get(ComboBox.class, s -> s.withClasses("pair-to"));
    ComboBoxKt.selectByLabel(from, "purchase_id");
    ComboBoxKt.selectByLabel(to, "email");
    ButtonKt._click(_get(Button.class, s -> s.withId("schema-item-save")));
    // bigint = text: incompatible types, reported at on[0]
    assertThat(from.isInvalid() || to.isInvalid()).isTrue();
    assertThat(schema.current().document().path("relationships").toString())
        .doesNotContain("buyer");
  }

  @Test
  void modelIsAddedFromAPickedTableWithColumnPickersAndRemovedAgain() {
    login("admin");
    UI.getCurrent().navigate("schema");
    ButtonKt._click(_get(Button.class, s -> s.withId("add-model")));
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("model-name")), "page_views");
    ComboBoxKt.selectByLabel(
        _get(Select.class, s -> s.withId("model-kind")),
        "event: rows with a timestamp (page views, orders)");
    ComboBox<?> table = _get(ComboBox.class, s -> s.withId("model-table"));
    assertThat(ComboBoxKt.getSuggestions(table)).contains("demo.events", "demo.users");
    ComboBoxKt.selectByLabel(table, "demo.events");
    // the key, label, timestamp and event-type pickers offer the table's columns
    ComboBox<?> key = _get(ComboBox.class, s -> s.withId("model-primary-key"));
    assertThat(ComboBoxKt.getSuggestions(key)).contains("event_id", "occurred_at", "event_type");
    ComboBoxKt.selectByLabel(key, "event_id");
    ComboBoxKt.selectByLabel(_get(ComboBox.class, s -> s.withId("model-timestamp")), "occurred_at");
    ComboBoxKt.selectByLabel(_get(ComboBox.class, s -> s.withId("model-event-type")), "event_type");
    ButtonKt._click(_get(Button.class, s -> s.withId("schema-item-save")));

    Grid<?> models = _get(Grid.class, s -> s.withId("schema-models"));
    assertThat(GridKt._size(models)).isEqualTo(6);
    assertThat(GridKt._getFormattedRow(models, 5)).contains("page_views", "event", "demo.events");
    assertThat(schema.columns("page_views")).extracting(c -> c.name()).contains("properties");

    ButtonKt._click((Button) GridKt._getCellComponent(models, 5, "edit"));
    ButtonKt._click(_get(Button.class, s -> s.withText("Delete")));
    assertThat(GridKt._size(models)).isEqualTo(5);
  }

  @Test
  void aModelWithoutItsKeyIsRefusedAtTheKeyPicker() {
    login("admin");
    UI.getCurrent().navigate("schema");
    ButtonKt._click(_get(Button.class, s -> s.withId("add-model")));
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("model-name")), "keyless");
    ComboBoxKt.selectByLabel(_get(ComboBox.class, s -> s.withId("model-table")), "demo.products");
    ButtonKt._click(_get(Button.class, s -> s.withId("schema-item-save")));
    ComboBox<?> key = _get(ComboBox.class, s -> s.withId("model-primary-key"));
    assertThat(key.isInvalid()).isTrue();
    assertThat(key.getErrorMessage()).isNotBlank();
    assertThat(schema.current().document().toString()).doesNotContain("keyless");
  }

  @Test
  void everySavedModelRelationshipAndTraitOpensInItsEditor() {
    login("admin");
    UI.getCurrent().navigate("schema");
    TabSheet tabs = _get(TabSheet.class, s -> s.withId("schema-tabs"));
    String[][] sections = {
      {"schema-models", "model-dialog"},
      {"schema-relationships", "relationship-dialog"},
      {"schema-traits", "trait-dialog"}
    };
    for (int t = 0; t < sections.length; t++) {
      tabs.setSelectedIndex(t);
      String gridId = sections[t][0];
      String dialogId = sections[t][1];
      Grid<?> grid = _get(Grid.class, s -> s.withId(gridId));
      for (int row = 0; row < GridKt._size(grid); row++) {
        ButtonKt._click((Button) GridKt._getCellComponent(grid, row, "edit"));
        com.vaadin.flow.component.dialog.Dialog d =
            _get(com.vaadin.flow.component.dialog.Dialog.class, s -> s.withId(dialogId));
        // saving unchanged keeps the schema as it was
        String before = schema.current().document().toString();
        ButtonKt._click(_get(Button.class, s -> s.withId("schema-item-save")));
        assertThat(d.isOpened()).as(gridId + " row " + row).isFalse();
        assertThat(schema.current().document().toString()).isEqualTo(before);
      }
    }
  }
}
