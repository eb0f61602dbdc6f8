package io.customerstudio.app.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A marketer who has never seen the product builds the seed's example audience by clicking, sees
 * the same size as the API, saves it, opens a member's profile and compares it with another
 * audience, in a real headless Chromium. Also takes the README's screenshots.
 */
class AudienceBuilderBrowserTest extends AppTestSupport {

  static final String SEED =
      """
      {"parent": "users", "filter": {"type": "or", "conditions": [
        {"type": "event", "event": "events", "eventType": "order_completed", "window": {"withinLast": {"amount": 2, "unit": "week"}}},
        {"type": "property", "column": "loyalty_member", "op": "is_true"},
        {"type": "trait", "trait": "lifetime_value", "op": "gt", "value": 1000}]}}""";

  @LocalServerPort int port;

  @Test
  void marketerBuildsTheSeedExampleByClicking() throws Exception {
    ApiClient admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    admin.post(
        "/api/v1/users",
        "{\"username\":\"browser-marketer\",\"role\":\"MARKETER\",\"password\":\"browser-password\"}");
    admin.post(
        "/api/v1/audiences",
        """
        {"key": "browser-germans", "name": "Germans", "definition": {"parent": "users",
          "filter": {"type": "property", "column": "country", "op": "eq", "value": "DE"}}}""");

    try (Browser browser = Browser.open(port)) {
      newAudience(browser, "browser-marketer", "browser-password", "Seed example by clicking");

      // ordered in the last 2 weeks
      click(browser, By.cssSelector("vaadin-button.add-event"));
      choose(
          browser,
          browser.waitFor(By.cssSelector("vaadin-select.combinator")),
          "ANY of these holds (OR)");
      pick(
          browser,
          browser.waitFor(By.cssSelector("vaadin-combo-box.event-type")),
          "order_completed");
      choose(
          browser, browser.waitFor(By.cssSelector("vaadin-select.window-kind")), "within the last");
      type(browser.waitFor(By.cssSelector(".window vaadin-integer-field.amount")), "2");
      choose(browser, browser.waitFor(By.cssSelector(".window vaadin-select.unit")), "weeks");

      // OR loyalty member
      click(browser, lastOf(browser, "vaadin-button.add-property"));
      pick(
          browser,
          lastOf(browser, ".condition-property vaadin-combo-box.column"),
          "loyalty_member · boolean");
      choose(browser, lastOf(browser, ".condition-property vaadin-select.op"), "is true");

      // OR lifetime value > 1000
      click(browser, lastOf(browser, "vaadin-button.add-trait"));
      pick(
          browser,
          lastOf(browser, ".condition-trait vaadin-combo-box.trait"),
          "lifetime_value · number");
      choose(browser, lastOf(browser, ".condition-trait vaadin-select.op"), "greater than");
      type(lastOf(browser, ".condition-trait vaadin-number-field.value"), "1000");

      // the live size equals the API's count for the same definition
      JsonNode api =
          admin
              .post("/api/v1/audiences/preview", "{\"definition\": " + SEED + ", \"limit\": 0}")
              .json();
      long expected = api.get("count").asLong();
      assertThat(expected).isPositive();
      waitIn(browser)
          .until(
              ExpectedConditions.attributeToBe(
                  By.id("audience-size"), "data-count", String.valueOf(expected)));
      waitIn(browser)
          .until(ExpectedConditions.attributeToBe(By.id("size-panel"), "data-state", "idle"));
      assertThat(browser.driver().findElement(By.id("audience-size")).getText())
          .isEqualTo(String.format(java.util.Locale.ENGLISH, "%,d", expected));
      browser.screenshot("builder");

      // saved, under the key made from its name
      click(browser, By.id("audience-save"));
      waitIn(browser)
          .until(ExpectedConditions.urlContains("/audiences/edit/seed-example-by-clicking"));
      JsonNode saved = admin.get("/api/v1/audiences/seed-example-by-clicking").json();
      assertThat(saved.get("definition"))
          .isEqualTo(new com.fasterxml.jackson.databind.ObjectMapper().readTree(SEED));

      // who is in it: a member's profile
      WebElement member =
          waitIn(browser)
              .until(
                  d ->
                      d.findElements(By.cssSelector("#members vaadin-grid-cell-content")).stream()
                          .filter(c -> c.getText().contains("@"))
                          .findFirst()
                          .orElse(null));
      browser.driver().executeScript("arguments[0].scrollIntoView({block: 'center'})", member);
      click(browser, member);
      browser.waitFor(By.id("profile-title"));
      browser.screenshot("profile");
      waitIn(browser)
          .until(
              ExpectedConditions.presenceOfElementLocated(By.cssSelector(".profile-timeline li")));
      assertThat(browser.driver().findElements(By.cssSelector(".profile-facts .fact-name")))
          .extracting(WebElement::getText)
          .contains("email", "lifetime_value");
      browser.screenshot("profile");
      browser.driver().findElement(By.tagName("body")).sendKeys(Keys.ESCAPE);
      waitIn(browser)
          .until(ExpectedConditions.invisibilityOfElementLocated(By.id("profile-title")));

      // compared with another audience, and broken down by country
      WebElement insights =
          browser.waitFor(By.xpath("//vaadin-tab[normalize-space(.)='Insights']"));
      browser.driver().executeScript("arguments[0].scrollIntoView({block: 'center'})", insights);
      click(browser, insights);
      pick(browser, browser.waitFor(By.id("overlap-audiences")), "Germans · browser-germans");
      browser.driver().findElement(By.tagName("body")).sendKeys(Keys.ESCAPE);
      click(browser, By.id("overlap-compare"));
      browser.waitFor(By.cssSelector("#overlap-chart[rendered] svg"));
      assertThat(
              browser
                  .driver()
                  .findElements(By.cssSelector("#overlap-matrix vaadin-grid-cell-content")))
          .extracting(WebElement::getText)
          .contains("browser-germans", "this audience");
      pick(browser, browser.waitFor(By.id("breakdown-by")), "country · string");
      click(browser, By.id("breakdown-show"));
      browser.waitFor(By.cssSelector("#breakdown-chart[rendered] svg"));
      waitIn(browser)
          .until(d -> d.findElements(By.cssSelector("#breakdown-chart svg path")).size() > 5);
      browser
          .driver()
          .executeScript(
              "arguments[0].scrollIntoView({block: 'end'})",
              browser.driver().findElement(By.id("breakdown-chart")));
      browser.screenshot("insights");
    }
  }

  @Test
  void anAudienceCanBeBuiltAndSavedWithTheKeyboardAlone() throws Exception {
    ApiClient admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    admin.post(
        "/api/v1/users",
        "{\"username\":\"keyboard-marketer\",\"role\":\"MARKETER\",\"password\":\"keyboard-password\"}");
    try (Browser browser = Browser.open(port)) {
      newAudience(browser, "keyboard-marketer", "keyboard-password", "Keyboard only");

      // Enter on a focused add button adds a condition; a combo box takes typing, arrows and Enter
      browser.waitFor(By.cssSelector("vaadin-button.add-property")).sendKeys(Keys.ENTER);
      WebElement column =
          browser.waitFor(By.cssSelector(".condition-property vaadin-combo-box.column input"));
      column.sendKeys("country");
      waitIn(browser)
          .until(
              ExpectedConditions.visibilityOfElementLocated(
                  By.xpath("//vaadin-combo-box-item[normalize-space(.)='country · string']")));
      column.sendKeys(Keys.ARROW_DOWN, Keys.ENTER);
      WebElement value =
          browser.waitFor(By.cssSelector(".condition-property vaadin-combo-box.value input"));
      value.sendKeys("DE");
      waitIn(browser)
          .until(
              ExpectedConditions.visibilityOfElementLocated(
                  By.xpath("//vaadin-combo-box-item[normalize-space(.)='DE']")));
      value.sendKeys(Keys.ARROW_DOWN, Keys.ENTER);
      waitIn(browser)
          .until(ExpectedConditions.attributeToBe(By.id("size-panel"), "data-state", "idle"));

      // Ctrl+S saves
      value.sendKeys(Keys.chord(Keys.CONTROL, "s"));
      waitIn(browser).until(ExpectedConditions.urlContains("/audiences/edit/keyboard-only"));
      assertThat(admin.get("/api/v1/audiences/keyboard-only").json().get("definition"))
          .isEqualTo(
              new com.fasterxml.jackson.databind.ObjectMapper()
                  .readTree(
                      "{\"parent\": \"users\", \"filter\": {\"type\": \"and\", \"conditions\": ["
                          + "{\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"DE\"}]}}"));
    }
  }

  /** Logs in and opens a new audience with this name. */
  static void newAudience(Browser browser, String user, String password, String name) {
    browser.login(user, password);
    browser.waitFor(By.id("current-user"));
    browser.go("/audiences/edit");
    browser.waitFor(By.id("audience-name")).findElement(By.tagName("input")).sendKeys(name);
  }

  // ---------------------------------------------------------------- Vaadin components by hand

  static WebDriverWait waitIn(Browser browser) {
    return new WebDriverWait(browser.driver(), Duration.ofSeconds(20));
  }

  static void click(Browser browser, By by) {
    click(browser, waitIn(browser).until(ExpectedConditions.presenceOfElementLocated(by)));
  }

  static void click(Browser browser, WebElement element) {
    browser.driver().executeScript("arguments[0].scrollIntoView({block: 'center'})", element);
    waitIn(browser).until(ExpectedConditions.elementToBeClickable(element)).click();
  }

  static WebElement lastOf(Browser browser, String css) {
    List<WebElement> all =
        waitIn(browser)
            .until(ExpectedConditions.presenceOfAllElementsLocatedBy(By.cssSelector(css)));
    return all.get(all.size() - 1);
  }

  /** Opens a vaadin-select and clicks the item with this caption. */
  static void choose(Browser browser, WebElement select, String caption) {
    browser.driver().executeScript("arguments[0].scrollIntoView({block: 'center'})", select);
    click(browser, select);
    click(
        browser,
        By.xpath(
            "//vaadin-select-overlay[@opened]//vaadin-select-item[normalize-space(.)='"
                + caption
                + "']"));
    waitIn(browser)
        .until(
            ExpectedConditions.invisibilityOfElementLocated(
                By.cssSelector("vaadin-select-overlay[opened]")));
  }

  /** Types into a combo box (single or multi) and clicks the suggestion with this caption. */
  static void pick(Browser browser, WebElement combo, String caption) {
    browser.driver().executeScript("arguments[0].scrollIntoView({block: 'center'})", combo);
    WebElement input = combo.findElement(By.tagName("input"));
    input.click();
    input.sendKeys(caption.split(" ")[0]);
    click(
        browser,
        By.xpath(
            "//*[self::vaadin-combo-box-item or self::vaadin-multi-select-combo-box-item]"
                + "[normalize-space(.)='"
                + caption
                + "']"));
  }

  /** Types a value into a text, number or integer field and leaves it, which commits it. */
  static void type(WebElement field, String value) {
    WebElement input = field.findElement(By.tagName("input"));
    input.sendKeys(Keys.chord(Keys.CONTROL, "a"), value, Keys.TAB);
  }
}
