package io.customerstudio.app.dashboard;

import io.customerstudio.infra.config.StudioProperties;
import io.customerstudio.infra.store.AppStore;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.DemoDatasetStore;
import io.customerstudio.infra.store.SchemaStore;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.query.schema.SchemaDocument;
import io.customerstudio.workflows.probe.ProbeService;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jooq.impl.DSL;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.stereotype.Service;

/**
 * The figures of the home dashboard, all read live: connection health, a Temporal round trip, demo
 * table row counts and what the registered schema holds.
 */
@Service
public class DashboardService {

  /** One connection: app store, warehouse or Temporal. */
  public record ConnectionStatus(
      String name, String status, String description, Map<String, Object> details) {
    public boolean up() {
      return Status.UP.getCode().equals(status);
    }
  }

  /** A worker round trip through Temporal. */
  public record RoundTrip(boolean ok, long millis, String error) {}

  public record DemoFigures(
      String schema,
      long seed,
      int users,
      OffsetDateTime anchor,
      OffsetDateTime generatedAt,
      long generationMillis,
      Map<String, Long> rowCounts) {}

  public record WorkspaceFigures(
      Integer schemaVersion, int models, int relationships, int traits, long audiences) {}

  public record DashboardStatus(
      List<ConnectionStatus> connections,
      RoundTrip temporalRoundTrip,
      DemoFigures demo,
      WorkspaceFigures workspace) {}

  private final HealthContributorRegistry health;
  private final AppStore appStore;
  private final Warehouse warehouse;
  private final ProbeService probe;
  private final DemoDatasetStore datasets;
  private final SchemaStore schemas;
  private final AudienceStore audiences;
  private final StudioProperties properties;
  private final io.customerstudio.app.security.CurrentRestriction restriction;

  public DashboardService(
      HealthContributorRegistry health,
      AppStore appStore,
      Warehouse warehouse,
      ProbeService probe,
      DemoDatasetStore datasets,
      SchemaStore schemas,
      AudienceStore audiences,
      StudioProperties properties,
      io.customerstudio.app.security.CurrentRestriction restriction) {
    this.restriction = restriction;
    this.health = health;
    this.appStore = appStore;
    this.warehouse = warehouse;
    this.probe = probe;
    this.datasets = datasets;
    this.schemas = schemas;
    this.audiences = audiences;
    this.properties = properties;
  }

  public DashboardStatus status() {
    List<ConnectionStatus> connections =
        List.of(
            connection("App store", "db", appStore.description()),
            connection("Warehouse", "warehouse", warehouse.description()),
            connection("Temporal", "temporal", null));
    ProbeService.Probe p = probe.run(Duration.ofSeconds(5));
    return new DashboardStatus(
        connections,
        new RoundTrip(p.ok(), p.roundTripMillis(), p.error()),
        // the demo's row counts count every row: not shown to a user restricted to some of them
        restriction.restricted() ? null : demo(),
        workspace());
  }

  private ConnectionStatus connection(String label, String contributor, String description) {
    if (!(health.getContributor(contributor) instanceof HealthIndicator indicator)) {
      return new ConnectionStatus(label, Status.UNKNOWN.getCode(), description, Map.of());
    }
    Health h = indicator.health();
    Map<String, Object> details = new LinkedHashMap<>(h.getDetails());
    String text = description;
    if (text == null) {
      text = String.valueOf(details.getOrDefault("server", ""));
    }
    return new ConnectionStatus(label, h.getStatus().getCode(), text, details);
  }

  private DemoFigures demo() {
    String schema = properties.demo().schema();
    return datasets
        .find(schema)
        .map(
            d -> {
              Map<String, Long> live = new LinkedHashMap<>();
              for (String table : d.rowCounts().keySet()) {
                live.put(
                    table, (long) warehouse.dsl().fetchCount(DSL.table(DSL.name(schema, table))));
              }
              return new DemoFigures(
                  schema, d.seed(), d.users(), d.anchor(), d.generatedAt(), d.millis(), live);
            })
        .orElse(null);
  }

  private WorkspaceFigures workspace() {
    return schemas
        .current()
        .map(
            v -> {
              SchemaDocument doc = SchemaDocument.parse(v.document());
              return new WorkspaceFigures(
                  v.version(),
                  doc.models().size(),
                  doc.relationships().size(),
                  doc.traits().size(),
                  audiences.count());
            })
        .orElse(new WorkspaceFigures(null, 0, 0, 0, audiences.count()));
  }
}
