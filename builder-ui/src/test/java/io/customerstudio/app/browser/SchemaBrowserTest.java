package io.customerstudio.app.browser;

import static io.customerstudio.app.browser.AudienceBuilderBrowserTest.click;
import static io.customerstudio.app.browser.AudienceBuilderBrowserTest.waitIn;
import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.app.AppTestSupport;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.boot.test.web.server.LocalServerPort;

/** An admin looks at a model's columns and sample rows and previews a trait's values. */
class SchemaBrowserTest extends AppTestSupport {

  @LocalServerPort int port;

  @Test
  void adminSeesColumnsSampleRowsAndATraitPreview() throws Exception {
    try (Browser browser = Browser.open(port)) {
      browser.login("admin", ADMIN_PASSWORD);
      browser.waitFor(By.id("current-user"));
      browser.go("/schema");
      WebElement users =
          waitIn(browser)
              .until(
                  d ->
                      d
                          .findElements(By.cssSelector("#schema-models vaadin-grid-cell-content"))
                          .stream()
                          .filter(c -> c.getText().equals("users"))
                          .findFirst()
                          .orElse(null));
      click(browser, users);
      waitIn(browser)
          .until(
              d ->
                  d.findElements(By.cssSelector("#schema-sample vaadin-grid-cell-content")).stream()
                      .anyMatch(c -> c.getText().contains("@")));
      assertThat(
              browser
                  .driver()
                  .findElements(By.cssSelector("#schema-columns vaadin-grid-cell-content")))
          .extracting(WebElement::getText)
          .contains("email", "signup_at", "timestamp");
      browser.screenshot("schema-models");

      click(browser, By.xpath("//vaadin-tab[normalize-space(.)='Traits']"));
      WebElement ltvEdit =
          waitIn(browser)
              .until(
                  ExpectedConditions.presenceOfElementLocated(
                      By.cssSelector("#schema-traits vaadin-button.schema-edit")));
      click(browser, ltvEdit);
      click(browser, By.id("trait-preview-run"));
      waitIn(browser)
          .until(
              d ->
                  d.findElements(By.cssSelector("#trait-preview vaadin-grid-cell-content")).stream()
                      .anyMatch(c -> c.getText().equals("lifetime_value")));
      browser.screenshot("schema-trait");
    }
  }
}
