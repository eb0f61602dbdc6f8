package io.customerstudio.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The demo workspace's first start (the test app generates the demo warehouse): the spec's
 * abandoned-cart journey is there as a draft that publish would take as is, its two destinations
 * are file exports, everything recorded as made by system, and seeding again creates nothing and
 * leaves an edited draft as edited.
 */
class DemoJourneyTest extends AppTestSupport {

  @LocalServerPort int port;
  @Autowired DemoJourneyBootstrap bootstrap;

  @Test
  void theAbandonedCartJourneyIsADraftThatValidatesAndIsSeededOnce() {
    ApiClient admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    var got = admin.get("/api/v1/journeys/abandoned-cart");
    assertThat(got.status()).as(got.body()).isEqualTo(200);
    JsonNode journey = got.json();
    assertThat(journey.get("state").asText()).isEqualTo("draft");
    assertThat(journey.get("createdBy").asText()).isEqualTo("system");
    JsonNode draft = journey.get("draft");
    assertThat(draft.get("start").asText()).isEqualTo("wait-1d");
    assertThat(draft.get("nodes")).hasSize(8);
    assertThat(draft.at("/nodes/0/duration").asText()).isEqualTo("P1D");
    assertThat(draft.at("/nodes/1/timeout").asText()).isEqualTo("P2D");
    assertThat(draft.at("/settings/frequencyCap/per").asText()).isEqualTo("P1D");

    var validated = admin.post("/api/v1/journeys/abandoned-cart/validate", null);
    assertThat(validated.status()).as(validated.body()).isEqualTo(200);
    assertThat(validated.json().get("problems")).as(validated.body()).isEmpty();

    for (String hook : List.of("esp-hook", "ads-hook")) {
      var d = admin.get("/api/v1/destinations/" + hook);
      assertThat(d.status()).as(d.body()).isEqualTo(200);
      assertThat(d.json().get("type").asText()).isEqualTo("file");
    }
    JsonNode audit = admin.get("/api/v1/audit?actor=system").json();
    List<String> made = new ArrayList<>();
    audit.forEach(
        e -> {
          if (e.get("action").asText().equals("create")) {
            made.add(e.get("entity").asText() + ":" + e.get("key").asText());
          }
        });
    assertThat(made)
        .contains("journey:abandoned-cart", "destination:esp-hook", "destination:ads-hook");

    // edited by someone, then seeded again (a later start): nothing is created or overwritten
    ObjectNode edited = draft.deepCopy();
    edited.put("name", "Abandoned cart (ours)");
    var put = admin.put("/api/v1/journeys/abandoned-cart", edited.toString());
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    int journeys = admin.get("/api/v1/journeys").json().size();
    int destinations = admin.get("/api/v1/destinations").json().size();
    assertThat(bootstrap.seed()).isZero();
    assertThat(admin.get("/api/v1/journeys/abandoned-cart").json().get("name").asText())
        .isEqualTo("Abandoned cart (ours)");
    assertThat(admin.get("/api/v1/journeys").json().size()).isEqualTo(journeys);
    assertThat(admin.get("/api/v1/destinations").json().size()).isEqualTo(destinations);
  }
}
