package io.customerstudio.app.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.mvysny.kaributesting.v10.ButtonKt;
import com.github.mvysny.kaributesting.v10.GridKt;
import com.github.mvysny.kaributesting.v10.HasValueUtilsKt;
import com.github.mvysny.kaributesting.v10.NotificationsKt;
import com.sun.net.httpserver.HttpServer;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.textfield.PasswordField;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.activities.destinations.Connectors;
import io.customerstudio.app.destinations.DestinationService;
import io.customerstudio.infra.secrets.SecretBox;
import io.customerstudio.infra.store.DestinationStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** An admin adds a webhook destination, sees a bad URL named at its field, and tests it. */
class DestinationsViewTest extends KaribuTestSupport {

  @Autowired DestinationService destinations;
  @Autowired DestinationStore store;
  @Autowired SecretBox secretBox;

  java.util.Map<String, String> headerValues(String key) {
    return Connectors.unsealed(store.find(key).orElseThrow(), secretBox);
  }

  @Test
  void adminCreatesAndTestsAWebhook() throws Exception {
    HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sink.createContext(
        "/in",
        x -> {
          x.sendResponseHeaders(200, -1);
          x.close();
        });
    sink.start();
    try {
      login("admin");
      UI.getCurrent().navigate("destinations");
      ButtonKt._click(_get(Button.class, s -> s.withId("new-destination")));
      HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("destination-key")), "ui-hook");
      HasValueUtilsKt._setValue(
          _get(TextField.class, s -> s.withId("destination-name")), "UI hook");
      TextField url = _get(TextField.class, s -> s.withId("destination-url"));
      HasValueUtilsKt._setValue(url, "not a url");
      HasValueUtilsKt._setValue(
          _get(PasswordField.class, s -> s.withId("destination-secret")), "whsec-0123456789abcdef");
      ButtonKt._click(_get(Button.class, s -> s.withId("destination-add-header")));
      HasValueUtilsKt._setValue(
          _get(TextField.class, s -> s.withClasses("destination-header-name")), "X-Team");
      HasValueUtilsKt._setValue(
          _get(PasswordField.class, s -> s.withClasses("destination-header-value")), "growth");
      ButtonKt._click(_get(Button.class, s -> s.withId("destination-save")));
      assertThat(url.isInvalid()).isTrue();
      assertThat(url.getErrorMessage()).contains("http or https");

      HasValueUtilsKt._setValue(url, "http://127.0.0.1:" + sink.getAddress().getPort() + "/in");
      ButtonKt._click(_get(Button.class, s -> s.withId("destination-save")));
      assertThat(destinations.get("ui-hook").headerNames()).containsExactly("X-Team");
      assertThat(destinations.get("ui-hook").config().toString()).doesNotContain("growth");
      assertThat(headerValues("ui-hook")).containsEntry("headers.X-Team", "growth");

      // its row (the demo workspace's destinations are in the grid too)
      Grid<?> grid = _get(Grid.class, s -> s.withId("destinations"));
      int row = -1;
      for (int i = 0; i < GridKt._size(grid); i++) {
        if (GridKt._getFormattedRow(grid, i).contains("ui-hook")) {
          row = i;
        }
      }
      assertThat(row).isNotNegative();
      HorizontalLayout actions = (HorizontalLayout) GridKt._getCellComponent(grid, row, "actions");
      NotificationsKt.clearNotifications();
      ButtonKt._click((Button) actions.getComponentAt(0));
      NotificationsKt.expectNotifications("The destination answered.");

      // editing shows the header's name with a masked value; typing one replaces it
      ButtonKt._click((Button) actions.getComponentAt(1));
      TextField name = _get(TextField.class, s -> s.withClasses("destination-header-name"));
      PasswordField value =
          _get(PasswordField.class, s -> s.withClasses("destination-header-value"));
      assertThat(name.getValue()).isEqualTo("X-Team");
      assertThat(name.isReadOnly()).isTrue();
      assertThat(value.getValue()).isEmpty();
      assertThat(value.getPlaceholder()).isEqualTo("••••••••");
      ButtonKt._click(_get(Button.class, s -> s.withId("destination-save")));
      assertThat(headerValues("ui-hook")).containsEntry("headers.X-Team", "growth");
      actions = (HorizontalLayout) GridKt._getCellComponent(grid, row, "actions");
      ButtonKt._click((Button) actions.getComponentAt(1));
      HasValueUtilsKt._setValue(
          _get(PasswordField.class, s -> s.withClasses("destination-header-value")), "retention");
      ButtonKt._click(_get(Button.class, s -> s.withId("destination-save")));
      assertThat(headerValues("ui-hook")).containsEntry("headers.X-Team", "retention");
      // and the remove button drops it
      actions = (HorizontalLayout) GridKt._getCellComponent(grid, row, "actions");
      ButtonKt._click((Button) actions.getComponentAt(1));
      ButtonKt._click(_get(Button.class, s -> s.withClasses("destination-header-remove")));
      ButtonKt._click(_get(Button.class, s -> s.withId("destination-save")));
      assertThat(destinations.get("ui-hook").headerNames()).isEmpty();
    } finally {
      sink.stop(0);
      if (destinations.list().stream().anyMatch(d -> d.key().equals("ui-hook"))) {
        destinations.delete("ui-hook", "admin");
      }
    }
  }

  @Test
  void theKeyFollowsTheNameAndAnUnreachableEndpointSaysWhy() throws Exception {
    int closed;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    login("admin");
    UI.getCurrent().navigate("destinations");
    ButtonKt._click(_get(Button.class, s -> s.withId("new-destination")));
    TextField key = _get(TextField.class, s -> s.withId("destination-key"));
    HasValueUtilsKt._setValue(
        _get(TextField.class, s -> s.withId("destination-name")), "Nobody home");
    assertThat(key.getValue()).isEqualTo("nobody-home");
    assertThat(key.isRequiredIndicatorVisible()).isTrue();
    assertThat(_get(TextField.class, s -> s.withId("destination-url")).isRequiredIndicatorVisible())
        .isTrue();
    HasValueUtilsKt._setValue(
        _get(TextField.class, s -> s.withId("destination-url")),
        "http://127.0.0.1:" + closed + "/in");
    HasValueUtilsKt._setValue(
        _get(PasswordField.class, s -> s.withId("destination-secret")), "whsec-0123456789abcdef");
    ButtonKt._click(_get(Button.class, s -> s.withId("destination-save")));
    try {
      assertThat(destinations.get("nobody-home").name()).isEqualTo("Nobody home");
      Grid<?> grid = _get(Grid.class, s -> s.withId("destinations"));
      int row = -1;
      for (int i = 0; i < GridKt._size(grid); i++) {
        if (GridKt._getFormattedRow(grid, i).contains("nobody-home")) {
          row = i;
        }
      }
      HorizontalLayout actions = (HorizontalLayout) GridKt._getCellComponent(grid, row, "actions");
      NotificationsKt.clearNotifications();
      ButtonKt._click((Button) actions.getComponentAt(0));
      // not "...: null": the reason in words
      NotificationsKt.expectNotifications(
          "Test failed: cannot reach http://127.0.0.1:" + closed + "/in: connection refused");
    } finally {
      destinations.delete("nobody-home", "admin");
    }
  }

  @Test
  void adminAddsAPostgresTableAndTestsIt() {
    login("admin");
    UI.getCurrent().navigate("destinations");
    ButtonKt._click(_get(Button.class, s -> s.withId("new-destination")));
    com.github.mvysny.kaributesting.v10.ComboBoxKt.selectByLabel(
        _get(com.vaadin.flow.component.select.Select.class, s -> s.withId("destination-type")),
        "PostgreSQL table");
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("destination-key")), "ui-pg");
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("destination-name")), "UI copy");
    HasValueUtilsKt._setValue(
        _get(TextField.class, s -> s.withId("destination-url")),
        io.customerstudio.query.testing.TestPostgres.newDatabaseUrl("uipg"));
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("destination-user")), "postgres");
    TextField table = _get(TextField.class, s -> s.withId("destination-table"));
    HasValueUtilsKt._setValue(table, "no_schema");
    ButtonKt._click(_get(Button.class, s -> s.withId("destination-save")));
    assertThat(table.isInvalid()).isTrue();
    HasValueUtilsKt._setValue(table, "public.ui_copy");
    ButtonKt._click(_get(Button.class, s -> s.withId("destination-save")));
    try {
      assertThat(destinations.get("ui-pg").type()).isEqualTo("postgres");
      Grid<?> grid = _get(Grid.class, s -> s.withId("destinations"));
      int row = -1;
      for (int i = 0; i < GridKt._size(grid); i++) {
        if (GridKt._getFormattedRow(grid, i).contains("ui-pg")) {
          row = i;
        }
      }
      HorizontalLayout actions = (HorizontalLayout) GridKt._getCellComponent(grid, row, "actions");
      NotificationsKt.clearNotifications();
      ButtonKt._click((Button) actions.getComponentAt(0));
      NotificationsKt.expectNotifications("The destination answered.");
    } finally {
      destinations.delete("ui-pg", "admin");
    }
  }
}
