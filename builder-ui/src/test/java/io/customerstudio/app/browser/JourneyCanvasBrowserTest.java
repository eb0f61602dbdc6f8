package io.customerstudio.app.browser;

import static io.customerstudio.app.browser.AudienceBuilderBrowserTest.choose;
import static io.customerstudio.app.browser.AudienceBuilderBrowserTest.click;
import static io.customerstudio.app.browser.AudienceBuilderBrowserTest.pick;
import static io.customerstudio.app.browser.AudienceBuilderBrowserTest.type;
import static io.customerstudio.app.browser.AudienceBuilderBrowserTest.waitIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.activities.destinations.Signatures;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.app.syncs.SyncSink;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.query.governance.Split;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.PointerInput;
import org.openqa.selenium.interactions.Sequence;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The journey canvas as a marketer uses it, in a real headless Chromium: the spec's abandoned-cart
 * journey built by dragging nodes from the palette, drawing every edge from handle to handle and
 * filling the side panels (the branch's condition with the audience condition builder); the stored
 * draft is the spec's document but for ids, durations and destinations. Then a simulation shows
 * expected counts on the canvas, the journey is published, signed events from an event source move
 * people and the live counts on the nodes follow them, a person's path opens from the people at a
 * node, and the split's holdout log lists who was held out. Takes the README's journey screenshots.
 */
class JourneyCanvasBrowserTest extends AppTestSupport {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = "canvas-cart";
  static final String SALT = "cart-2026-12";

  static SyncSink sink;

  @LocalServerPort int port;
  @Autowired Warehouse warehouse;

  String secret;

  @BeforeAll
  static void startSink() throws Exception {
    sink = new SyncSink();
  }

  @AfterAll
  static void stopSink() {
    sink.close();
  }

  ApiClient admin() {
    return new ApiClient(port, "admin", ADMIN_PASSWORD);
  }

  @Test
  void theAbandonedCartJourneyIsDrawnSimulatedPublishedAndWatchedLive() throws Exception {
    long started = System.nanoTime();
    ApiClient admin = admin();
    // what the journey needs and a person would already have: an event source of the shop, two
    // webhook destinations (a local sink), an audience to simulate over
    ApiClient.Response source =
        admin.post("/api/v1/event-sources", "{\"key\": \"canvas-shop\", \"name\": \"Shop\"}");
    assertThat(source.status()).as(source.body()).isEqualTo(201);
    secret = source.json().get("secret").asText();
    for (String hook : List.of("canvas-esp", "canvas-ads")) {
      ApiClient.Response r =
          admin.post(
              "/api/v1/destinations",
              """
              {"key": "%s", "name": "%s", "type": "webhook",
               "config": {"url": "%s", "batchSize": 50, "requestsPerSecond": 1000,
                          "signingSecret": "%s"}}"""
                  .formatted(hook, hook, sink.url(), SyncSink.SECRET));
      assertThat(r.status()).as(r.body()).isEqualTo(201);
    }
    ApiClient.Response audience =
        admin.post(
            "/api/v1/audiences",
            """
            {"key": "canvas-loyal", "name": "Loyal members (journey simulation)",
             "definition": {"parent": "users",
              "filter": {"type": "property", "column": "loyalty_member", "op": "is_true"}}}""");
    assertThat(audience.status()).as(audience.body()).isEqualTo(201);

    try (Browser browser = Browser.open(port)) {
      try {
        drawSimulatePublishAndWatch(browser, admin);
      } catch (Throwable t) {
        browser.screenshot("journey-failure");
        throw t;
      }
    }
    System.out.println(
        "JourneyCanvasBrowserTest took "
            + Duration.ofNanos(System.nanoTime() - started).toSeconds()
            + " s in the browser");
  }

  void drawSimulatePublishAndWatch(Browser browser, ApiClient admin) throws Exception {
    // 1600 wide and tall enough (a viewport of about 1600×1300) that the fitted canvas reads
    browser.driver().manage().window().setSize(new Dimension(1600, 1440));
    browser.login("admin", ADMIN_PASSWORD);
    browser.waitFor(By.id("current-user"));

    // 1. Journeys → New journey → the canvas opens on it
    browser.go("/journeys");
    press(browser, By.id("journey-new"));
    fill(browser, By.id("new-journey-key"), KEY);
    fill(browser, By.id("new-journey-name"), "Abandoned cart");
    press(browser, By.id("new-journey-create"));
    waitIn(browser).until(ExpectedConditions.urlContains("/journeys/" + KEY));
    browser.waitFor(node("__entry"));
    browser.waitFor(node("done"));
    zoomOutTo(browser, 0.7);

    // 2. the spec's journey, drawn. The entry and its settings first
    click(browser, browser.waitFor(By.cssSelector(".jn[data-node='__entry'] .jn-title")));
    waitIn(browser)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(d -> inputValue(browser, "field-entry-eventType").equals("add_to_cart"));
    press(browser, By.id("add-where"));
    combo(browser, "field-entry-where-0--property", "value");
    for (int attempt = 1; ; attempt++) {
      try {
        // the property's row (the panel redraws after a typed property)
        WebElement whereRow =
            browser.waitFor(By.xpath("//*[@id='field-entry-where-0--property']/parent::*"));
        choose(browser, whereRow.findElement(By.cssSelector("vaadin-select")), "gte");
        type(whereRow.findElement(By.cssSelector("vaadin-text-field")), "20");
        break;
      } catch (org.openqa.selenium.StaleElementReferenceException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
    awaitDraft(
        browser,
        "entry where value gte 20",
        d ->
            d.at("/entry/where/0/op").asText().equals("gte")
                && d.at("/entry/where/0/value").asInt() == 20);
    // re-entry after exit (the new journey's default, chosen again as a person would check it)
    choose(browser, browser.waitFor(By.id("reentry-policy")), "Again once they have exited");
    press(browser, By.id("add-exit-event"));
    combo(browser, "field-exitCriteria-0-event-eventType", "order_completed");
    press(browser, By.id("frequency-cap"));
    awaitDraft(
        browser,
        "exit criterion and frequency cap",
        d ->
            d.at("/exitCriteria/0/event/eventType").asText().equals("order_completed")
                && d.at("/settings/frequencyCap/max").asInt() == 2
                && d.at("/reentry/policy").asText().equals("after_exit"));

    // wait 5 seconds, from the entry
    String wait = drop(browser, "wait");
    fill(browser, By.id("field-duration"), "5");
    choose(browser, browser.waitFor(By.id("field-duration-unit")), "seconds");
    awaitDraft(browser, "wait PT5S", d -> "PT5S".equals(nodeOf(d, wait).path("duration").asText()));
    connect(browser, "__entry", "start", wait);

    // wait until order_completed, 15 seconds at most (the live view catches people there)
    String bought = drop(browser, "wait_until");
    assertThat(
            browser
                .driver()
                .findElement(By.cssSelector("#field-event-eventType input"))
                .getDomProperty("value"))
        .isEqualTo("order_completed");
    fill(browser, By.id("field-timeout"), "15");
    choose(browser, browser.waitFor(By.id("field-timeout-unit")), "seconds");
    awaitDraft(
        browser, "timeout PT15S", d -> "PT15S".equals(nodeOf(d, bought).path("timeout").asText()));
    connect(browser, wait, "next", bought);
    connect(browser, bought, "next", "done");

    // branch "high value": lifetime value > 500, with the condition builder
    String value = drop(browser, "branch");
    fill(browser, By.id("field-branches-0-name"), "high value");
    press(browser, By.cssSelector(".branch-editor vaadin-button.add-trait"));
    pick(
        browser,
        browser.waitFor(By.cssSelector(".branch-editor .condition-trait vaadin-combo-box.trait")),
        "lifetime_value · number");
    choose(
        browser,
        browser.waitFor(By.cssSelector(".branch-editor .condition-trait vaadin-select.op")),
        "greater than");
    fill(
        browser,
        By.cssSelector(".branch-editor .condition-trait vaadin-number-field.value"),
        "500");
    awaitDraft(
        browser,
        "branch high value on lifetime_value > 500",
        d ->
            condition(nodeOf(d, value).at("/branches/0/condition")).path("value").asInt() == 500
                && nodeOf(d, value).at("/branches/0/name").asText().equals("high value"));
    connect(browser, bought, "timeoutNext", value);

    // split 45 / 45 / 10, the 10% a holdout
    String test = drop(browser, "split");
    fill(browser, By.id("field-salt"), SALT);
    fill(browser, By.id("field-groups-0-name"), "email");
    fill(browser, By.id("field-groups-0-percent"), "45");
    fill(browser, By.id("field-groups-1-name"), "email+ads");
    fill(browser, By.id("field-groups-1-percent"), "45");
    press(browser, By.id("add-group"));
    fill(browser, By.id("field-groups-2-name"), "control");
    assertThat(inputValue(browser, "field-groups-2-percent")).isEqualTo("10");
    press(browser, By.id("field-groups-2-holdout"));
    browser.waitForText(By.id("split-sum"), "Total 100%");
    awaitDraft(
        browser,
        "split 45/45/10 with a holdout",
        d ->
            nodeOf(d, test).at("/groups/2/holdout").asBoolean(false)
                && nodeOf(d, test).at("/groups/1/name").asText().equals("email+ads"));
    connect(browser, value, "branch-0", test);

    // the three sends
    String sendEmail = drop(browser, "send");
    combo(browser, "field-destination", "canvas-esp");
    assertThat(inputValue(browser, "field-identifier-from")).isEqualTo("email");
    assertThat(inputValue(browser, "field-identifier-to")).isEqualTo("email");
    press(browser, By.id("add-mapping"));
    combo(browser, "field-mapping-0-from", "first_name");
    fill(browser, By.id("field-mapping-0-to"), "firstName");
    press(browser, By.id("add-mapping"));
    combo(browser, "field-mapping-1-from", "event.properties.cart_url");
    fill(browser, By.id("field-mapping-1-to"), "cartUrl");
    awaitDraft(
        browser,
        "send-email's destination and mapping",
        d ->
            nodeOf(d, sendEmail).at("/mapping/1/to").asText().equals("cartUrl")
                && nodeOf(d, sendEmail).path("destination").asText().equals("canvas-esp"));
    connect(browser, test, "group-0", sendEmail);
    connect(browser, sendEmail, "next", "done");

    String sendBoth = drop(browser, "send");
    combo(browser, "field-destination", "canvas-ads");
    awaitDraft(
        browser,
        "send-both's destination",
        d -> nodeOf(d, sendBoth).path("destination").asText().equals("canvas-ads"));
    connect(browser, test, "group-1", sendBoth);
    connect(browser, sendBoth, "next", sendEmail);

    String ads = drop(browser, "send");
    combo(browser, "field-destination", "canvas-ads");
    awaitDraft(
        browser,
        "ads' destination",
        d -> nodeOf(d, ads).path("destination").asText().equals("canvas-ads"));
    connect(browser, value, "else", ads);
    connect(browser, ads, "next", "done");

    // ready, and the stored draft is the spec's document
    browser.waitForText(By.id("journey-problems"), "Ready to publish");
    Map<String, String> ids = new LinkedHashMap<>();
    ids.put("wait-1d", wait);
    ids.put("bought", bought);
    ids.put("value", value);
    ids.put("test", test);
    ids.put("send-email", sendEmail);
    ids.put("send-both", sendBoth);
    ids.put("ads", ads);
    ids.put("done", "done");
    JsonNode draft = admin.get("/api/v1/journeys/" + KEY).json().get("draft");
    assertThat(nodeTypes(draft)).containsExactlyInAnyOrderEntriesOf(nodeTypes(expected(ids)));
    assertThat(edges(draft)).isEqualTo(edges(expected(ids)));
    assertThat(normal(draft)).as(draft.toPrettyString()).isEqualTo(normal(expected(ids)));

    // the finished design, laid out
    press(browser, By.id("journey-auto-layout"));
    fitView(browser);
    showCanvas(browser);
    browser.screenshot("journey-designer");

    // 3. simulated over an audience for an hour: expected counts on the canvas
    press(browser, By.id("journey-simulate"));
    // the first audience is preselected: clear it, then pick ours
    WebElement audienceCombo = browser.waitFor(By.id("simulation-audience"));
    audienceCombo
        .findElement(By.tagName("input"))
        .sendKeys(
            org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"),
            org.openqa.selenium.Keys.DELETE);
    pick(browser, audienceCombo, "canvas-loyal");
    fill(browser, By.id("simulation-horizon"), "1");
    choose(browser, browser.waitFor(By.id("simulation-horizon-unit")), "hours");
    press(browser, By.id("simulation-run"));
    browser.waitFor(By.cssSelector(".jc-banner"));
    JsonNode simulated =
        admin
            .post(
                "/api/v1/journeys/" + KEY + "/simulate",
                "{\"people\": {\"audience\": \"canvas-loyal\"}, \"horizon\": \"PT1H\"}")
            .json();
    long simulatedEntered = simulated.get("entered").asLong();
    assertThat(simulatedEntered).as(simulated.toString()).isPositive();
    waitForEntered(browser, "__entry", simulatedEntered, Duration.ofSeconds(20));
    for (JsonNode n : simulated.get("nodes")) {
      waitForEntered(
          browser, n.get("id").asText(), n.get("entered").asLong(), Duration.ofSeconds(5));
    }
    assertThat(entered(browser, sendEmail)).isPositive();
    assertThat(browser.driver().findElements(By.cssSelector(".jc-item"))).isEmpty();
    fitView(browser);
    showCanvas(browser);
    browser.screenshot("journey-simulation");
    press(browser, By.id("journey-clear-simulation"));
    waitIn(browser)
        .until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector(".jc-banner")));

    // 4. published; the live view; signed events from the shop move people
    press(browser, By.id("journey-publish"));
    press(browser, By.id("publish-confirm"));
    waitIn(browser)
        .until(
            d -> admin.get("/api/v1/journeys/" + KEY).json().path("state").asText().equals("live"));
    click(browser, browser.waitFor(By.xpath("//vaadin-tab[normalize-space(.)='Live']")));
    browser.waitFor(By.id("journey-live-summary"));

    People people = people(KEY + ":" + test + ":" + SALT);
    List<String> carts = new ArrayList<>();
    for (String p : people.entering()) {
      carts.add(
          event(
              "cart-" + p,
              p,
              "add_to_cart",
              "{\"value\": 35.5, \"cart_url\": \"https://shop.example/cart/" + p + "\"}"));
    }
    for (String p : people.small) {
      carts.add(event("small-" + p, p, "add_to_cart", "{\"value\": 5}"));
    }
    // the wait-until's panel is open before anyone arrives: its "here now" list fills as the
    // live view refreshes, so a person is caught inside the wait's window however slow the run
    click(browser, browser.waitFor(By.cssSelector(".jn[data-node='" + bought + "'] .jn-title")));
    browser.waitFor(By.id("live-people"));
    events(carts);
    int entering = people.entering().size();
    waitForEntered(browser, "__entry", entering, Duration.ofSeconds(30));
    List<String> orders = new ArrayList<>();
    for (String p : people.buyers) {
      orders.add(event("order-" + p, p, "order_completed", "{\"total\": 99}"));
    }
    events(orders);
    assertThat(orders.size() + carts.size()).isBetween(25, 35);

    // 5. people wait for an order at the wait-until: who is there, and one person's path
    int waiting = people.high().size() + people.low.size();
    new WebDriverWait(browser.driver(), Duration.ofSeconds(30))
        .until(d -> entered(browser, bought) >= waiting);
    waitIn(browser)
        .until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector(".jn[data-node='" + bought + "'] .jn-now:not([data-now='0'])")));
    WebElement person =
        waitIn(browser)
            .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
            .until(
                d ->
                    d.findElements(By.cssSelector("#live-people vaadin-grid-cell-content")).stream()
                        .filter(c -> people.entering().contains(c.getText()))
                        .findFirst()
                        .orElse(null));
    String personKey = person.getText();
    // the list is read again every 2 s: click the person's cell as it is now
    waitIn(browser)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(
            d -> {
              d.findElements(By.cssSelector("#live-people vaadin-grid-cell-content")).stream()
                  .filter(c -> c.getText().equals(personKey))
                  .findFirst()
                  .orElseThrow(() -> new org.openqa.selenium.NoSuchElementException(personKey))
                  .click();
              return true;
            });
    waitIn(browser)
        .until(
            d ->
                d
                    .findElements(By.cssSelector("vaadin-grid.path-steps vaadin-grid-cell-content"))
                    .stream()
                    .anyMatch(c -> c.getText().equals(wait)));
    assertThat(browser.driver().findElements(By.id("path-dialog"))).isNotEmpty();
    JsonNode path = admin.get("/api/v1/journeys/" + KEY + "/people/" + personKey).json();
    assertThat(path.get(0).get("steps").get(0).get("node").asText()).isEqualTo(wait);
    showCanvas(browser);
    browser.screenshot("journey-path");
    press(browser, By.id("path-close"));
    waitIn(browser).until(ExpectedConditions.invisibilityOfElementLocated(By.id("path-close")));

    // the timeout passes: the branch, the split and the sends, counted on the canvas
    Duration flow = Duration.ofSeconds(60);
    waitForEntered(browser, value, waiting, flow);
    waitForEntered(browser, test, people.high().size(), flow);
    waitForEntered(browser, ads, people.low.size(), flow);
    waitForEntered(browser, sendBoth, people.both.size(), flow);
    waitForEntered(browser, sendEmail, people.email.size() + people.both.size(), flow);
    waitForEntered(browser, "done", waiting - people.control.size(), flow);
    fitView(browser);
    showCanvas(browser);
    browser.screenshot("journey-live");

    // each send reached the destination once per person
    Map<String, Integer> rows = new HashMap<>();
    new WebDriverWait(browser.driver(), Duration.ofSeconds(30))
        .until(
            d -> {
              rows.clear();
              sink.applied()
                  .values()
                  .forEach(
                      a ->
                          rows.merge(
                              a.idempotencyKey()
                                  .replaceAll("^journey-" + KEY + "-v1-(.*)-\\d+$", "$1"),
                              a.rows().size(),
                              Integer::sum));
              return rows.getOrDefault(sendEmail, 0) == people.email.size() + people.both.size()
                  && rows.getOrDefault(sendBoth, 0) == people.both.size()
                  && rows.getOrDefault(ads, 0) == people.low.size();
            });
    assertThat(sink.violations()).isEmpty();

    // 6. the split's holdout log: the control group's people
    click(browser, browser.waitFor(By.cssSelector(".jn[data-node='" + test + "'] .jn-title")));
    waitIn(browser)
        .until(
            d ->
                d
                    .findElements(By.cssSelector("#journey-holdouts vaadin-grid-cell-content"))
                    .stream()
                    .map(WebElement::getText)
                    .collect(Collectors.toSet())
                    .containsAll(people.control));
    List<String> shown =
        browser
            .driver()
            .findElements(By.cssSelector("#journey-holdouts vaadin-grid-cell-content"))
            .stream()
            .map(WebElement::getText)
            .toList();
    assertThat(shown).contains("control");
    JsonNode holdouts = admin.get("/api/v1/journeys/" + KEY + "/holdouts").json();
    Set<String> logged = new HashSet<>();
    holdouts.forEach(
        h -> {
          logged.add(h.get("personKey").asText());
          assertThat(h.get("group").asText()).isEqualTo("control");
          assertThat(h.get("node").asText()).isEqualTo(test);
        });
    assertThat(logged).isEqualTo(people.control);
    assertThat(
            shown.stream()
                .filter(s -> people.entering().contains(s) || people.small.contains(s))
                .collect(Collectors.toSet()))
        .isEqualTo(logged);
    browser
        .driver()
        .executeScript(
            "arguments[0].scrollIntoView({block: 'center'})",
            browser.driver().findElement(By.id("journey-holdouts")));
    browser.screenshot("journey-holdouts");
  }

  // ------------------------------------------------------------------------- people and events

  /** The people of the live run, chosen from the warehouse and the split's hash. */
  record People(
      Set<String> email,
      Set<String> both,
      Set<String> control,
      Set<String> low,
      Set<String> buyers,
      Set<String> small) {
    Set<String> high() {
      Set<String> h = new LinkedHashSet<>(email);
      h.addAll(both);
      h.addAll(control);
      return h;
    }

    Set<String> entering() {
      Set<String> all = new LinkedHashSet<>(high());
      all.addAll(low);
      all.addAll(buyers);
      return all;
    }
  }

  /**
   * 4 high-value people in the email group, 3 in email+ads, 3 held out, 8 of lower value, 4 who buy
   * right away and 3 whose carts are too small to enter.
   */
  People people(String splitSalt) {
    Set<String> high = new HashSet<>();
    warehouse
        .dsl()
        .fetch(
            "select u.user_id::text from demo.users u join demo.purchases p on p.user_id ="
                + " u.user_id where p.status = 'paid' group by u.user_id having sum(p.amount) > 500")
        .forEach(r -> high.add(r.get(0, String.class)));
    List<String> all = new ArrayList<>();
    warehouse
        .dsl()
        .fetch("select user_id::text from demo.users where email is not null order by user_id")
        .forEach(r -> all.add(r.get(0, String.class)));
    Set<String> email = new LinkedHashSet<>();
    Set<String> both = new LinkedHashSet<>();
    Set<String> control = new LinkedHashSet<>();
    Set<String> low = new LinkedHashSet<>();
    Set<String> buyers = new LinkedHashSet<>();
    Set<String> small = new LinkedHashSet<>();
    for (String p : all) {
      if (high.contains(p)) {
        int b = Split.bucket(splitSalt, p);
        Set<String> group = b < 4500 ? email : b < 9000 ? both : control;
        if (group.size() < (group == email ? 4 : 3)) {
          group.add(p);
        }
      } else if (low.size() < 8) {
        low.add(p);
      } else if (buyers.size() < 4) {
        buyers.add(p);
      } else if (small.size() < 3) {
        small.add(p);
      }
    }
    assertThat(List.of(email.size(), both.size(), control.size(), small.size()))
        .containsExactly(4, 3, 3, 3);
    return new People(email, both, control, low, buyers, small);
  }

  /** Sends events through the shop's signed webhook door. */
  void events(List<String> events) throws Exception {
    byte[] body =
        ("{\"events\": [" + String.join(",", events) + "]}").getBytes(StandardCharsets.UTF_8);
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/api/v1/webhooks/events/canvas-shop"))
            .header("Content-Type", "application/json")
            .header(
                Signatures.HEADER, Signatures.sign(secret, Instant.now().getEpochSecond(), body))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"accepted\":" + events.size() + ",\"duplicates\":0}");
  }

  static String event(String id, String person, String type, String properties) {
    // event ids are idempotency keys across the whole stream: other tests' "cart-<person>" must
    // not make these duplicates (in the full suite, three of them were)
    return """
        {"eventId": "%s", "personKey": "%s", "type": "%s", "properties": %s}"""
        .formatted(KEY + "-" + id, person, type, properties);
  }

  // ------------------------------------------------------------------------- the spec's document

  /**
   * The spec's example (section 1) with this test's ids, key, durations and destinations, and
   * without quiet hours (the test would wait for morning at night).
   */
  static JsonNode expected(Map<String, String> ids) throws Exception {
    String spec =
        """
        {
          "key": "abandoned-cart",
          "name": "Abandoned cart",
          "parent": "users",
          "entry": {"type": "event", "eventType": "add_to_cart",
                    "where": [{"property": "value", "op": "gte", "value": 20}]},
          "reentry": {"policy": "after_exit"},
          "exitCriteria": [{"event": {"eventType": "order_completed"}}],
          "settings": {
            "quietHours": {"from": "21:00", "to": "08:00", "timezoneColumn": "timezone",
                           "defaultTimezone": "UTC"},
            "frequencyCap": {"max": 2, "per": "P1D"}
          },
          "start": "wait-1d",
          "nodes": [
            {"id": "wait-1d", "type": "wait", "duration": "P1D", "next": "bought"},
            {"id": "bought", "type": "wait_until",
             "event": {"eventType": "order_completed"}, "timeout": "P2D",
             "next": "done", "timeoutNext": "value"},
            {"id": "value", "type": "branch",
             "branches": [{"name": "high value", "next": "test",
                           "condition": {"type": "trait", "trait": "lifetime_value", "op": "gt", "value": 500}}],
             "else": "ads"},
            {"id": "test", "type": "split", "salt": "cart-2026-12",
             "groups": [{"name": "email", "percent": 45, "next": "send-email"},
                        {"name": "email+ads", "percent": 45, "next": "send-both"},
                        {"name": "control", "percent": 10, "holdout": true}]},
            {"id": "send-email", "type": "send", "destination": "esp-hook",
             "identifier": {"from": "email", "to": "email"},
             "mapping": [{"from": "first_name", "to": "firstName"},
                         {"from": "event.properties.cart_url", "to": "cartUrl"}],
             "next": "done"},
            {"id": "send-both", "type": "send", "destination": "ads-hook",
             "identifier": {"from": "email", "to": "email"}, "mapping": [], "next": "send-email"},
            {"id": "ads", "type": "send", "destination": "ads-hook",
             "identifier": {"from": "email", "to": "email"}, "mapping": [], "next": "done"},
            {"id": "done", "type": "exit"}
          ]
        }""";
    ObjectNode d = (ObjectNode) JSON.readTree(spec);
    d.put("key", KEY);
    ((ObjectNode) d.get("settings")).remove("quietHours");
    d.put("start", ids.get(d.get("start").asText()));
    for (JsonNode n : d.get("nodes")) {
      ObjectNode o = (ObjectNode) n;
      o.put("id", ids.get(o.get("id").asText()));
      for (String f : List.of("next", "timeoutNext", "else")) {
        if (o.has(f)) {
          o.put(f, ids.get(o.get(f).asText()));
        }
      }
      for (String list : List.of("branches", "groups")) {
        for (JsonNode b : o.path(list)) {
          if (b.has("next")) {
            ((ObjectNode) b).put("next", ids.get(b.get("next").asText()));
          }
        }
      }
      switch (o.get("type").asText()) {
        case "wait" -> o.put("duration", "PT5S");
        case "wait_until" -> o.put("timeout", "PT15S");
        case "send" ->
            o.put(
                "destination",
                o.get("destination").asText().equals("esp-hook") ? "canvas-esp" : "canvas-ads");
        default -> {}
      }
    }
    return d;
  }

  /** Node id → type. */
  static Map<String, String> nodeTypes(JsonNode d) {
    Map<String, String> out = new HashMap<>();
    d.get("nodes").forEach(n -> out.put(n.get("id").asText(), n.get("type").asText()));
    return out;
  }

  /** Every edge as "from -[port]-> to", sorted. */
  static Set<String> edges(JsonNode d) {
    Set<String> out = new java.util.TreeSet<>();
    out.add("entry -[start]-> " + d.get("start").asText());
    for (JsonNode n : d.get("nodes")) {
      String id = n.get("id").asText();
      for (String f : List.of("next", "timeoutNext", "else")) {
        if (n.has(f)) {
          out.add(id + " -[" + f + "]-> " + n.get(f).asText());
        }
      }
      for (JsonNode b : n.path("branches")) {
        out.add(id + " -[" + b.path("name").asText() + "]-> " + b.path("next").asText());
      }
      for (JsonNode g : n.path("groups")) {
        out.add(
            id
                + " -["
                + g.path("name").asText()
                + " "
                + g.path("percent").decimalValue().stripTrailingZeros().toPlainString()
                + "%"
                + (g.path("holdout").asBoolean(false) ? " holdout" : "")
                + "]-> "
                + g.path("next").asText("(out)"));
      }
    }
    return out;
  }

  /**
   * A document to compare: nodes by id, numbers by value, and a group of one condition (what the
   * condition builder makes of a first condition) as that condition.
   */
  static JsonNode normal(JsonNode d) {
    if (d.isNumber()) {
      return DecimalNode.valueOf(d.decimalValue().stripTrailingZeros());
    }
    if (d.isArray()) {
      ArrayNode a = JSON.createArrayNode();
      d.forEach(e -> a.add(normal(e)));
      return a;
    }
    if (!d.isObject()) {
      return d;
    }
    JsonNode c = condition(d);
    if (c != d) {
      return normal(c);
    }
    ObjectNode o = JSON.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = d.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("nodes")) {
        ObjectNode byId = o.putObject("nodes");
        e.getValue().forEach(n -> byId.set(n.get("id").asText(), normal(n)));
      } else {
        o.set(e.getKey(), normal(e.getValue()));
      }
    }
    return o;
  }

  /** A group of one condition as that condition; anything else as it is. */
  static JsonNode condition(JsonNode c) {
    String type = c.path("type").asText();
    if ((type.equals("and") || type.equals("or")) && c.path("conditions").size() == 1) {
      return condition(c.get("conditions").get(0));
    }
    return c;
  }

  static JsonNode nodeOf(JsonNode draft, String id) {
    for (JsonNode n : draft.path("nodes")) {
      if (id.equals(n.path("id").asText())) {
        return n;
      }
    }
    return JSON.createObjectNode();
  }

  void awaitDraft(Browser browser, String what, Predicate<JsonNode> holds) {
    ApiClient admin = admin();
    try {
      new WebDriverWait(browser.driver(), Duration.ofSeconds(20))
          .pollingEvery(Duration.ofMillis(200))
          .withMessage(what)
          .until(d -> holds.test(admin.get("/api/v1/journeys/" + KEY).json().get("draft")));
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError(
          "the draft never showed " + what + ": " + admin.get("/api/v1/journeys/" + KEY).body(), e);
    }
  }

  // ------------------------------------------------------------------------- the canvas by hand

  static By node(String id) {
    return By.cssSelector(".jn[data-node='" + id + "']");
  }

  /** Clicks what the locator finds; when the server redraws it meanwhile, clicks the new one. */
  static void press(Browser browser, By by) {
    for (int attempt = 1; ; attempt++) {
      try {
        click(browser, by);
        return;
      } catch (org.openqa.selenium.StaleElementReferenceException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /**
   * Types into a field and leaves it; when the server redraws the field meanwhile (a panel or a
   * condition row re-rendered by the edit before), types into the new one.
   */
  static void fill(Browser browser, By by, String value) {
    for (int attempt = 1; ; attempt++) {
      try {
        WebElement field = browser.waitFor(by);
        browser.driver().executeScript("arguments[0].scrollIntoView({block: 'center'})", field);
        type(field, value);
        new WebDriverWait(browser.driver(), Duration.ofSeconds(5))
            .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
            .until(
                d ->
                    value.equals(
                        d.findElement(by)
                            .findElement(By.tagName("input"))
                            .getDomProperty("value")));
        return;
      } catch (org.openqa.selenium.StaleElementReferenceException
          | org.openqa.selenium.TimeoutException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  static String inputValue(Browser browser, String id) {
    return browser
        .driver()
        .findElement(By.cssSelector("#" + id + " input"))
        .getDomProperty("value");
  }

  /** Types a value into a combo box and commits it with Enter (an item, or a custom value). */
  static void combo(Browser browser, String id, String value) {
    WebElement combo = browser.waitFor(By.id(id));
    browser.driver().executeScript("arguments[0].scrollIntoView({block: 'center'})", combo);
    WebElement input = combo.findElement(By.tagName("input"));
    input.click();
    input.sendKeys(Keys.chord(Keys.CONTROL, "a"), value);
    input.sendKeys(Keys.ENTER);
    waitIn(browser)
        .until(
            d -> {
              try {
                return value.equals(
                    d.findElement(By.cssSelector("#" + id + " input")).getDomProperty("value"));
              } catch (org.openqa.selenium.StaleElementReferenceException e) {
                return false;
              }
            });
  }

  /** Brings the whole canvas into the window (the problems above it may push it down). */
  static void showCanvas(Browser browser) {
    browser
        .driver()
        .executeScript(
            "arguments[0].scrollIntoView({block: 'end'})",
            browser.driver().findElement(By.id("journey-canvas")));
  }

  static double zoom(Browser browser) {
    Object z =
        browser
            .driver()
            .executeScript(
                "return new DOMMatrix(getComputedStyle(document.querySelector("
                    + "'.react-flow__viewport')).transform).a");
    return ((Number) z).doubleValue();
  }

  /** Clicks the canvas' zoom-out control until the zoom is at most this. */
  static void zoomOutTo(Browser browser, double most) {
    showCanvas(browser);
    settle(browser);
    for (int i = 0; i < 12 && zoom(browser) > most; i++) {
      double before = zoom(browser);
      browser.driver().findElement(By.cssSelector(".react-flow__controls-zoomout")).click();
      waitIn(browser).until(d -> zoom(browser) < before);
      settle(browser);
    }
  }

  static void fitView(Browser browser) {
    showCanvas(browser);
    browser.driver().findElement(By.cssSelector(".react-flow__controls-fitview")).click();
    settle(browser);
  }

  /** Waits until the canvas' viewport stops moving (fit-view and zoom animate for a moment). */
  static void settle(Browser browser) {
    String[] last = {""};
    new WebDriverWait(browser.driver(), Duration.ofSeconds(5))
        .pollingEvery(Duration.ofMillis(250))
        .until(
            d -> {
              String t =
                  (String)
                      browser
                          .driver()
                          .executeScript(
                              "return getComputedStyle(document.querySelector("
                                  + "'.react-flow__viewport')).transform");
              boolean still = t.equals(last[0]);
              last[0] = t;
              return still;
            });
  }

  /**
   * Drags a palette item onto a free spot of the pane and returns the new node's id (it is added
   * there and selected; its panel opens).
   */
  static String drop(Browser browser, String type) {
    showCanvas(browser);
    Set<String> before = nodeIds(browser);
    @SuppressWarnings("unchecked")
    List<Number> at =
        (List<Number>)
            browser
                .driver()
                .executeScript(
                    """
                    const pane = document.querySelector('.jc-pane').getBoundingClientRect();
                    const z = new DOMMatrix(getComputedStyle(
                        document.querySelector('.react-flow__viewport')).transform).a;
                    const w = 230 * z + 40, h = 170 * z + 40;
                    const top = Math.max(pane.top, 0), bottom = Math.min(pane.bottom, innerHeight);
                    const blocked = [...document.querySelectorAll(
                        '.jn, .react-flow__minimap, .react-flow__controls')]
                        .map((e) => e.getBoundingClientRect());
                    for (let y = top + 10; y + h < bottom - 10; y += 20) {
                      for (let x = pane.left + 10; x + w < pane.right - 10; x += 20) {
                        const free = blocked.every((r) => r.right < x || r.left > x + w
                            || r.bottom < y || r.top > y + h);
                        if (free) return [x + 20 + 115 * z, y + 20 + 20 * z];
                      }
                    }
                    return null;
                    """);
    assertThat(at).as("a free spot on the canvas for a " + type + " node").isNotNull();
    WebElement item = browser.waitFor(By.cssSelector(".jc-item[data-type='" + type + "']"));
    PointerInput mouse = new PointerInput(PointerInput.Kind.MOUSE, "mouse");
    Sequence drag = new Sequence(mouse, 0);
    drag.addAction(
        mouse.createPointerMove(Duration.ZERO, PointerInput.Origin.fromElement(item), 0, 0));
    drag.addAction(mouse.createPointerDown(PointerInput.MouseButton.LEFT.asArg()));
    drag.addAction(
        mouse.createPointerMove(Duration.ofMillis(100), PointerInput.Origin.pointer(), 20, 0));
    drag.addAction(
        mouse.createPointerMove(
            Duration.ofMillis(300),
            PointerInput.Origin.viewport(),
            at.get(0).intValue(),
            at.get(1).intValue()));
    drag.addAction(mouse.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
    browser.driver().perform(List.of(drag));
    String[] added = new String[1];
    waitIn(browser)
        .until(
            d -> {
              Set<String> now = nodeIds(browser);
              now.removeAll(before);
              if (now.size() == 1) {
                added[0] = now.iterator().next();
                return true;
              }
              return false;
            });
    // the new node is selected: its panel shows
    browser.waitForText(By.cssSelector("#node-panel h4"), added[0]);
    return added[0];
  }

  static Set<String> nodeIds(Browser browser) {
    return browser.driver().findElements(By.cssSelector(".jn[data-node]")).stream()
        .map(e -> e.getDomAttribute("data-node"))
        .collect(Collectors.toCollection(HashSet::new));
  }

  /** Draws an edge: from the source's port handle to the target's input handle. */
  void connect(Browser browser, String source, String port, String target) {
    showCanvas(browser);
    By fromHandle =
        By.cssSelector(
            ".jn[data-node='" + source + "'] .jn-port[data-port='" + port + "'] .jn-out");
    By toHandle = By.cssSelector(".jn[data-node='" + target + "'] .jn-in");
    if (!browser.driver().findElement(fromHandle).isDisplayed()
        || !browser.driver().findElement(toHandle).isDisplayed()) {
      fitView(browser); // one end is outside the pane: bring everything into view
    }
    WebElement from = browser.waitFor(fromHandle);
    WebElement to = browser.waitFor(toHandle);
    PointerInput mouse = new PointerInput(PointerInput.Kind.MOUSE, "mouse");
    Sequence drag = new Sequence(mouse, 0);
    drag.addAction(
        mouse.createPointerMove(Duration.ZERO, PointerInput.Origin.fromElement(from), 0, 0));
    drag.addAction(mouse.createPointerDown(PointerInput.MouseButton.LEFT.asArg()));
    drag.addAction(
        mouse.createPointerMove(Duration.ofMillis(100), PointerInput.Origin.pointer(), 20, 20));
    drag.addAction(
        mouse.createPointerMove(Duration.ofMillis(300), PointerInput.Origin.fromElement(to), 0, 0));
    drag.addAction(mouse.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
    browser.driver().perform(List.of(drag));
    awaitDraft(
        browser,
        source + " -[" + port + "]-> " + target,
        d -> target.equals(edgeTarget(d, source, port)));
  }

  /** Where a port's edge leads in the document (null: nowhere). */
  static String edgeTarget(JsonNode d, String source, String port) {
    if (source.equals("__entry")) {
      return d.path("start").asText(null);
    }
    JsonNode n = nodeOf(d, source);
    if (port.startsWith("branch-")) {
      return n.path("branches").path(Integer.parseInt(port.substring(7))).path("next").asText(null);
    }
    if (port.startsWith("group-")) {
      return n.path("groups").path(Integer.parseInt(port.substring(6))).path("next").asText(null);
    }
    return n.path(port).asText(null);
  }

  static long entered(Browser browser, String id) {
    List<WebElement> e =
        browser.driver().findElements(By.cssSelector(".jn[data-node='" + id + "'] .jn-entered"));
    return e.isEmpty() ? -1 : Long.parseLong(e.get(0).getDomAttribute("data-entered"));
  }

  /** Waits until the canvas shows this many people entered at the node. */
  static void waitForEntered(Browser browser, String id, long n, Duration atMost) {
    try {
      new WebDriverWait(browser.driver(), atMost)
          .pollingEvery(Duration.ofMillis(250))
          .until(
              ExpectedConditions.presenceOfElementLocated(
                  By.cssSelector(
                      ".jn[data-node='" + id + "'] .jn-entered[data-entered='" + n + "']")));
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError(
          "node " + id + " never showed " + n + " entered; it shows " + entered(browser, id), e);
    }
  }
}
