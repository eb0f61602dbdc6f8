package io.customerstudio.app.browser;

import static io.customerstudio.app.browser.AudienceBuilderBrowserTest.click;
import static io.customerstudio.app.browser.AudienceBuilderBrowserTest.waitIn;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.infra.warehouse.Warehouse;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A person starts a sync from the list and watches the run succeed, in a real browser. */
class SyncBrowserTest extends AppTestSupport {

  @LocalServerPort int port;
  @Autowired Warehouse warehouse;

  @Test
  void runNowShowsTheRunToSuccessWithItsCounts() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sink.createContext(
        "/in",
        x -> {
          x.getRequestBody().readAllBytes();
          requests.incrementAndGet();
          x.sendResponseHeaders(200, -1);
          x.close();
        });
    sink.start();
    try {
      ApiClient admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
      admin.post(
          "/api/v1/destinations",
          """
          {"key": "b-hook", "name": "CRM webhook", "type": "webhook",
           "config": {"url": "http://127.0.0.1:%d/in", "batchSize": 100,
                      "signingSecret": "whsec-0123456789abcdef"}}"""
              .formatted(sink.getAddress().getPort()));
      admin.post(
          "/api/v1/audiences",
          """
          {"key": "b-loyal", "name": "Loyal members", "definition": {"parent": "users",
           "filter": {"type": "property", "column": "loyalty_member", "op": "is_true"}}}""");
      ApiClient.Response created =
          admin.post(
              "/api/v1/syncs",
              """
              {"key": "b-sync", "name": "Loyal members to CRM", "audience": "b-loyal",
               "destination": "b-hook", "mode": "mirror",
               "mapping": [{"from": "first_name", "to": "firstName"},
                           {"from": "lifetime_value", "to": "ltv"}],
               "identifier": {"from": "email", "to": "email"},
               "schedule": {"type": "cron", "expression": "0 6 * * *", "timezone": "Europe/Berlin"}}""");
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      long members =
          warehouse
              .dsl()
              .fetchCount(warehouse.dsl().selectOne().from("demo.users").where("loyalty_member"));

      try (Browser browser = Browser.open(port)) {
        browser.login("admin", ADMIN_PASSWORD);
        browser.waitFor(By.id("current-user")); // logged in before going elsewhere
        browser.go("/syncs");
        browser.waitFor(By.id("sync-run-b-sync"));
        assertThat(browser.driver().findElement(By.id("syncs")).getText())
            .contains(
                "Loyal members to CRM",
                "Loyal members → CRM webhook",
                "cron 0 6 * * * (Europe/Berlin)");
        browser.screenshot("syncs");
        click(browser, By.id("sync-run-b-sync"));
        waitIn(browser)
            .until(
                ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#run-status [data-status='succeeded']")));
        browser.waitForText(
            By.cssSelector("[data-figure='delivered'] h2"), String.format("%,d", members));
        // querying, governing, diffing, delivering, committing
        assertThat(browser.driver().findElements(By.cssSelector("#run-timeline [data-phase]")))
            .hasSize(5);
        assertThat(requests.get()).isEqualTo((int) ((members + 99) / 100));
        browser.screenshot("sync-run");
        // the cron schedule's next tick is hours away: this was the only run
        assertThat(admin.get("/api/v1/syncs/b-sync/runs").json()).hasSize(1);
      }
    } finally {
      sink.stop(0);
    }
  }
}
