package io.customerstudio.app.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.audit.AuditTrail;
import io.customerstudio.app.destinations.DestinationService;
import io.customerstudio.app.journeys.JourneyDefinitions;
import io.customerstudio.infra.demo.DemoWarehouseBootstrap;
import io.customerstudio.infra.store.JourneyStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * The demo workspace's journey: on the start that generates the demo warehouse (a first start of a
 * demo workspace, after {@link DemoWarehouseBootstrap}), the journey spec's abandoned-cart journey
 * (section 1) as a draft, with the two destinations it sends to, {@code esp-hook} and {@code
 * ads-hook}, as file exports (JSONL) under the export directory ({@code STUDIO_EXPORT_DIR}), which
 * work without any network. Each is created only if absent, recorded in the audit trail as {@code
 * system}, and an audience to simulate it over ({@code loyalty-members}); a later start changes
 * nothing, so an edited draft stays as edited.
 *
 * <p>The document is the spec's but for one thing the demo schema forces: its users have no time
 * zone column, so quiet hours use the default zone (UTC) alone. It passes validation as is.
 */
@Component
public class DemoJourneyBootstrap implements InitializingBean {

  private static final Logger log = LoggerFactory.getLogger(DemoJourneyBootstrap.class);

  public static final String JOURNEY = "abandoned-cart";
  public static final List<String> DESTINATIONS = List.of("esp-hook", "ads-hook");
  public static final String AUDIENCE = "loyalty-members";

  private final DemoWarehouseBootstrap demo;
  private final DestinationService destinations;
  private final JourneyDefinitions journeys;
  private final JourneyStore journeyStore;
  private final AudienceService audiences;

  public DemoJourneyBootstrap(
      DemoWarehouseBootstrap demo,
      DestinationService destinations,
      JourneyDefinitions journeys,
      JourneyStore journeyStore,
      AudienceService audiences) {
    this.demo = demo;
    this.destinations = destinations;
    this.journeys = journeys;
    this.journeyStore = journeyStore;
    this.audiences = audiences;
  }

  @Override
  public void afterPropertiesSet() {
    if (demo.generatedNow()) {
      seed();
    }
  }

  /**
   * Creates what is absent of the demo journey and its destinations; returns how many things it
   * created (0 when all exist, whatever was edited since).
   */
  public int seed() {
    int created = 0;
    for (String key : DESTINATIONS) {
      if (destinations.list().stream().noneMatch(d -> d.key().equals(key))) {
        ObjectNode config = new ObjectMapper().createObjectNode();
        config.put("directory", "demo/" + key);
        config.put("format", "jsonl");
        destinations.create(key, key + " (demo file export)", "file", config, AuditTrail.SYSTEM);
        created++;
      }
    }
    if (audiences.list(null).stream().noneMatch(a -> a.key().equals(AUDIENCE))) {
      // people to simulate the journey over on first start (the canvas's Simulate)
      ObjectNode definition = new ObjectMapper().createObjectNode();
      definition.put("parent", "users");
      definition
          .putObject("filter")
          .put("type", "property")
          .put("column", "loyalty_member")
          .put("op", "is_true");
      audiences.create(
          AUDIENCE,
          "Loyalty members",
          "Demo: users in the loyalty programme; simulate the abandoned-cart journey over them",
          definition,
          AuditTrail.SYSTEM);
      created++;
    }
    if (journeyStore.find(JOURNEY).isEmpty()) {
      journeys.create(document(), AuditTrail.SYSTEM);
      created++;
    }
    if (created > 0) {
      log.info(
          "Demo workspace: the {} journey (draft) and its destinations {} are ready",
          JOURNEY,
          DESTINATIONS);
    }
    return created;
  }

  /** The demo journey's document. */
  public static JsonNode document() {
    try (InputStream in =
        DemoJourneyBootstrap.class.getResourceAsStream("/demo/abandoned-cart-journey.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
