package io.customerstudio.app.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.app.AppTestSupport;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A person logs in and sees the dashboard's live figures. */
class DashboardBrowserTest extends AppTestSupport {

  @LocalServerPort int port;

  @Test
  void adminLogsInAndSeesDemoFigures() throws Exception {
    try (Browser browser = Browser.open(port)) {
      browser.go("/");
      // not logged in: the login page
      browser.waitFor(By.cssSelector("vaadin-login-form"));

      browser.login("admin", ADMIN_PASSWORD);

      browser.waitForText(By.id("figure-models"), "5");
      browser.waitForText(By.id("connection-temporal"), "Worker round trip");
      assertThat(browser.driver().findElement(By.id("current-user")).getText()).isEqualTo("admin");
      List<String> cells =
          browser
              .driver()
              .findElements(By.cssSelector("#demo-row-counts vaadin-grid-cell-content"))
              .stream()
              .map(WebElement::getText)
              .toList();
      assertThat(cells).contains("users", "2,000", "events", "purchases", "consent");
      assertThat(browser.driver().findElement(By.id("connection-warehouse")).getText())
          .contains("UP");
      browser.screenshot("dashboard");
    }
  }

  @Test
  void wrongPasswordStaysOnTheLoginPageWithAnError() throws Exception {
    try (Browser browser = Browser.open(port)) {
      browser.login("admin", "not-the-password");
      browser.waitFor(By.cssSelector("vaadin-login-form[error]"));
      assertThat(browser.driver().getCurrentUrl()).contains("/login");
    }
  }
}
