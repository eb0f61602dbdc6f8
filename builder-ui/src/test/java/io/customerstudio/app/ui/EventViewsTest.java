package io.customerstudio.app.ui;

import static com.github.mvysny.kaributesting.v10.LocatorJ._find;
import static com.github.mvysny.kaributesting.v10.LocatorJ._get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.mvysny.kaributesting.v10.ButtonKt;
import com.github.mvysny.kaributesting.v10.GridKt;
import com.github.mvysny.kaributesting.v10.HasValueUtilsKt;
import com.github.mvysny.kaributesting.v10.pro.ConfirmDialogKt;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.confirmdialog.ConfirmDialog;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.activities.destinations.Signatures;
import io.customerstudio.app.events.EventService;
import io.customerstudio.app.events.EventSourceService;
import io.customerstudio.app.events.ui.EventSourcesView;
import io.customerstudio.app.events.ui.RecentEventsView;
import io.customerstudio.query.Problems;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The event sources page and the recent events grid, driven as an admin would. */
class EventViewsTest extends KaribuTestSupport {

  @Autowired EventSourceService sources;
  @Autowired EventService events;

  static final byte[] BODY = "{\"eventId\": \"k-1\"}".getBytes(StandardCharsets.UTF_8);

  void assertSigns(String key, String secret) {
    sources.verify(
        key, Signatures.sign(secret, Instant.now().getEpochSecond(), BODY), BODY); // no throw
  }

  static List<String> keys(Grid<?> grid) {
    return IntStream.range(0, GridKt._size(grid))
        .mapToObj(i -> GridKt._getFormattedRow(grid, i).get(0))
        .toList();
  }

  /** A button of the sources grid's actions column, in the row of its source. */
  static Button action(String id) {
    Grid<?> grid = _get(Grid.class, s -> s.withId("event-sources"));
    int row = keys(grid).indexOf(id.substring(id.indexOf('-') + 1));
    return _get(GridKt._getCellComponent(grid, row, "actions"), Button.class, s -> s.withId(id));
  }

  @Test
  void anAdminCreatesASource_seesItsSecretOnce_rotatesAndDeletesIt() {
    login("admin");
    UI.getCurrent().navigate(EventSourcesView.class);
    assertThat(_get(Pre.class, s -> s.withId("event-source-recipe")).getText())
        .contains("X-Studio-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\">")
        .contains("/api/v1/webhooks/events/<key>");

    ButtonKt._click(_get(Button.class, s -> s.withId("create-event-source")));
    TextField key = _get(TextField.class, s -> s.withId("event-source-key"));
    HasValueUtilsKt._setValue(key, "Not A Key");
    ButtonKt._click(_get(Button.class, s -> s.withId("event-source-save")));
    assertThat(key.isInvalid()).isTrue();
    assertThat(key.getErrorMessage()).contains("lower-case letters");
    TextField name = _get(TextField.class, s -> s.withId("event-source-name"));
    assertThat(name.isInvalid()).isTrue();

    HasValueUtilsKt._setValue(key, "karibu-shop");
    HasValueUtilsKt._setValue(name, "Karibu shop");
    ButtonKt._click(_get(Button.class, s -> s.withId("event-source-save")));
    String secret = _get(TextField.class, s -> s.withId("event-source-secret")).getValue();
    assertThat(secret).startsWith("whsec_");
    assertSigns("karibu-shop", secret);
    _get(Button.class, s -> s.withId("event-source-secret-copy"));
    ButtonKt._click(_get(Button.class, s -> s.withId("event-source-secret-done")));

    Grid<?> grid = _get(Grid.class, s -> s.withId("event-sources"));
    assertThat(keys(grid)).contains("karibu-shop");
    assertThat(GridKt._getFormattedRow(grid, keys(grid).indexOf("karibu-shop")))
        .contains("Karibu shop", "admin")
        .doesNotContain(secret);

    // a second create with the same key: the conflict shows next to the key
    ButtonKt._click(_get(Button.class, s -> s.withId("create-event-source")));
    HasValueUtilsKt._setValue(
        _get(TextField.class, s -> s.withId("event-source-key")), "karibu-shop");
    HasValueUtilsKt._setValue(_get(TextField.class, s -> s.withId("event-source-name")), "Again");
    ButtonKt._click(_get(Button.class, s -> s.withId("event-source-save")));
    assertThat(_get(TextField.class, s -> s.withId("event-source-key")).getErrorMessage())
        .contains("already exists");
    UI.getCurrent().navigate(EventSourcesView.class);

    ButtonKt._click(action("rotate-karibu-shop"));
    ConfirmDialogKt._fireConfirm(
        _get(ConfirmDialog.class, s -> s.withId("confirm-rotate-event-source")));
    String rotated = _get(TextField.class, s -> s.withId("event-source-secret")).getValue();
    assertThat(rotated).startsWith("whsec_").isNotEqualTo(secret);
    assertSigns("karibu-shop", rotated);
    assertThatThrownBy(() -> assertSigns("karibu-shop", secret))
        .isInstanceOf(EventSourceService.SignatureRefused.class);
    ButtonKt._click(_get(Button.class, s -> s.withId("event-source-secret-done")));

    ButtonKt._click(action("delete-karibu-shop"));
    ConfirmDialogKt._fireConfirm(
        _get(ConfirmDialog.class, s -> s.withId("confirm-delete-event-source")));
    assertThat(keys(_get(Grid.class, s -> s.withId("event-sources"))))
        .doesNotContain("karibu-shop");
    assertThat(sources.list()).noneMatch(s -> s.key().equals("karibu-shop"));
  }

  @Test
  void recentEventsShowsTheNewestFirst() {
    events.append(
        new EventService.EventBatch(
            false,
            List.of(
                new EventService.EventDraft(
                    "karibu-ev-1",
                    "42",
                    "add_to_cart",
                    null,
                    Instant.parse("2026-12-01T10:00:00Z")),
                new EventService.EventDraft(
                    "karibu-ev-2", "43", "purchase", "{\"value\": 1}", null))),
        new Problems(),
        null);
    login("admin");
    UI.getCurrent().navigate(RecentEventsView.class);
    Grid<?> grid = _get(Grid.class, s -> s.withId("recent-events"));
    assertThat(GridKt._getFormattedRow(grid, 0)).startsWith("karibu-ev-2", "43", "purchase");
    List<String> second = GridKt._getFormattedRow(grid, 1);
    assertThat(second).startsWith("karibu-ev-1", "42", "add_to_cart");
    assertThat(second.get(3)).contains("2026-12-01");
    assertThat(second.get(5)).isEqualTo("API");
    assertThat(_find(Button.class, s -> s.withId("recent-events-refresh"))).hasSize(1);
  }
}
