package io.customerstudio.infra.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.query.governance.Restriction;
import io.customerstudio.query.testing.TestPostgres;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Categories, selections on users, syncs and destinations, and who uses what, on PostgreSQL. */
class SubsetCategoryStoreTest {

  static final String DE =
      "{\"type\":\"property\",\"column\":\"country\",\"op\":\"eq\",\"value\":\"DE\"}";

  static final String MANUAL = "{\"type\":\"manual\"}";

  SubsetCategoryStore categories;
  UserStore users;
  SyncStore syncs;
  DestinationStore destinations;
  RunStore runs;

  @BeforeEach
  void migrate() {
    var dataSource = TestPostgres.newDatabase("subsets");
    Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    DSLContext db = DSL.using(dataSource, SQLDialect.POSTGRES);
    Clock clock = Clock.systemUTC();
    categories = new SubsetCategoryStore(db, clock);
    users = new UserStore(db, clock);
    syncs = new SyncStore(db, clock);
    destinations = new DestinationStore(db, clock);
    runs = new RunStore(db, clock);
  }

  SubsetCategoryStore.Draft region(String name) {
    return new SubsetCategoryStore.Draft(
        name, "users", List.of(new SubsetCategoryStore.Subset("de", "Germany", DE)));
  }

  @Test
  void categoriesRoundTripAndBecomeRestrictionDefinitions() {
    assertThat(categories.create("region", region("Region"), "ann")).isTrue();
    assertThat(categories.create("region", region("Again"), "ann")).isFalse();
    SubsetCategoryStore.Category c = categories.find("region").orElseThrow();
    assertThat(c.name()).isEqualTo("Region");
    assertThat(c.subsets())
        .containsExactly(
            new SubsetCategoryStore.Subset(
                "de",
                "Germany",
                "{\"type\":\"property\",\"column\":\"country\",\"op\":\"eq\",\"value\":\"DE\"}"));
    assertThat(c.createdBy()).isEqualTo("ann");

    assertThat(categories.update("region", region("Regions"), "bob")).isTrue();
    assertThat(categories.find("region").orElseThrow().updatedBy()).isEqualTo("bob");
    assertThat(categories.update("nope", region("x"), "bob")).isFalse();

    Map<String, Restriction.CategoryDef> defs = categories.definitions();
    assertThat(defs.get("region").parent()).isEqualTo("users");
    assertThat(defs.get("region").subsets().get("de").path("value").asText()).isEqualTo("DE");
    assertThat(Restriction.condition("users", Map.of("region", List.of("de")), defs)).isPresent();

    assertThat(categories.delete("region")).isTrue();
    assertThat(categories.list()).isEmpty();
  }

  @Test
  void selectionsOnUsersSyncsAndDestinationsAreStoredAndFoundAsUses() {
    categories.create("region", region("Region"), "ann");
    users.create("mia", "Mia", "hash", UserStore.Role.MARKETER);
    assertThat(users.find("mia").orElseThrow().subsets()).isNull();
    assertThat(users.find("mia").orElseThrow().restricted()).isFalse();
    assertThat(users.setSubsets("mia", Map.of("region", List.of("de")))).isTrue();
    UserStore.StudioUser mia = users.find("mia").orElseThrow();
    assertThat(mia.subsets()).isEqualTo(Map.of("region", List.of("de")));
    assertThat(mia.restricted()).isTrue();

    destinations.create("crm", new DestinationStore.Draft("CRM", "webhook", "{}", "{}"), "ann");
    assertThat(destinations.subsets("crm")).isNull();
    destinations.setSubsets("crm", Map.of("region", List.of("de")));
    assertThat(destinations.subsets("crm")).isEqualTo(Map.of("region", List.of("de")));

    syncs.create(
        "s",
        new SyncStore.Draft("S", "vip", "crm", SyncMode.UPSERT, "[]", "{}", MANUAL, false, false),
        "sealed",
        "ann");
    syncs.setSubsets("s", Map.of("region", List.of()));

    assertThat(categories.uses("region", null))
        .extracting(Object::toString)
        .containsExactly("user \"mia\"", "sync \"s\"", "destination \"crm\"");
    assertThat(categories.uses("region", "de"))
        .extracting(Object::toString)
        .containsExactly("user \"mia\"", "destination \"crm\"");
    assertThat(categories.uses("tier", null)).isEmpty();

    users.setSubsets("mia", null);
    assertThat(users.find("mia").orElseThrow().subsets()).isNull();
  }

  @Test
  void aRunRemembersWhoAskedForIt() {
    destinations.create("crm", new DestinationStore.Draft("CRM", "webhook", "{}", "{}"), "ann");
    syncs.create(
        "s",
        new SyncStore.Draft("S", "vip", "crm", SyncMode.UPSERT, "[]", "{}", MANUAL, true, false),
        "sealed",
        "ann");
    String asked = runs.enqueue("s", "manual", "mia").orElseThrow().runId();
    assertThat(runs.requestedBy(asked)).contains("mia");
  }
}
