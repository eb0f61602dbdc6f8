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
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.destinations.DestinationService;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** An admin adds a webhook destination, sees a bad URL named at its field, and tests it. */
class DestinationsViewTest extends KaribuTestSupport {

  @Autowired DestinationService destinations;

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
      HasValueUtilsKt._setValue(
          _get(TextArea.class, s -> s.withId("destination-headers")), "X-Team: growth");
      ButtonKt._click(_get(Button.class, s -> s.withId("destination-save")));
      assertThat(url.isInvalid()).isTrue();
      assertThat(url.getErrorMessage()).contains("http or https");

      HasValueUtilsKt._setValue(url, "http://127.0.0.1:" + sink.getAddress().getPort() + "/in");
      ButtonKt._click(_get(Button.class, s -> s.withId("destination-save")));
      assertThat(destinations.get("ui-hook").config().at("/headers/X-Team").asText())
          .isEqualTo("growth");

      Grid<?> grid = _get(Grid.class, s -> s.withId("destinations"));
      int row = GridKt._size(grid) - 1;
      HorizontalLayout actions = (HorizontalLayout) GridKt._getCellComponent(grid, row, "actions");
      NotificationsKt.clearNotifications();
      ButtonKt._click((Button) actions.getComponentAt(0));
      NotificationsKt.expectNotifications("The destination answered.");
    } finally {
      sink.stop(0);
      if (destinations.list().stream().anyMatch(d -> d.key().equals("ui-hook"))) {
        destinations.delete("ui-hook");
      }
    }
  }
}
