package io.customerstudio.bench;

import io.customerstudio.activities.sync.RunTables;
import io.customerstudio.activities.sync.SyncEngine;
import io.customerstudio.activities.sync.SyncSpec;
import io.customerstudio.infra.secrets.SecretBox;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.ConsentStore;
import io.customerstudio.infra.store.DestinationStore;
import io.customerstudio.infra.store.PriorityListStore;
import io.customerstudio.infra.store.SplitStore;
import io.customerstudio.infra.store.SubsetCategoryStore;
import io.customerstudio.infra.store.SyncMode;
import io.customerstudio.infra.store.SyncStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What governance costs a sync run: the same sync's dry run (materialize, govern, diff, nothing
 * sent) over every user of the bench warehouse, first with nothing governing it, then with every
 * mechanism on: consent over the generated OneTrust-shaped receipts, a destination rule, a required
 * subset, a priority list of three audiences (the synced one ranked last) and a split with a
 * holdout. Medians of three each; the target is at most 20% more.
 */
final class GovernanceBenchmark {

  static final String TITLE = "Governance: the govern step at 1M members";

  private GovernanceBenchmark() {}

  static String run(
      DataSource warehouseDs, java.util.function.Function<String, DataSource> database, int users)
      throws Exception {
    BenchApp app = new BenchApp(warehouseDs, database, "bench_gov");
    audience(
        app.audiences,
        "everyone",
        "{\"type\":\"property\",\"column\":\"user_id\",\"op\":\"gt\",\"value\":0}");
    audience(
        app.audiences,
        "loyal",
        "{\"type\":\"property\",\"column\":\"loyalty_tier\",\"op\":\"eq\",\"value\":\"gold\"}");
    audience(
        app.audiences,
        "germany",
        "{\"type\":\"property\",\"column\":\"country\",\"op\":\"eq\",\"value\":\"DE\"}");
    DestinationStore destinations = app.destinations;
    SyncStore syncs = app.syncs;
    SplitStore splits = app.splits;
    ConsentStore consent = app.consent;
    PriorityListStore lists = app.lists;
    SubsetCategoryStore categories = app.categories;
    SecretBox box = app.box;
    java.nio.file.Path exports = app.exports;
    SyncEngine engine = app.syncEngine(new RunTables(app.warehouse.dsl()));
    destinations.create(
        "files",
        new DestinationStore.Draft(
            "Files",
            "file",
            "{\"directory\":\"" + exports.resolve("gov") + "\",\"format\":\"csv\"}",
            "{}"),
        "bench");
    SyncSpec spec =
        new SyncSpec(
            SyncMode.UPSERT,
            List.of(
                new SyncSpec.Field("email", "email"),
                new SyncSpec.Field("first_name", "firstName"),
                new SyncSpec.Field("city", "city"),
                new SyncSpec.Field("country", "country")),
            new SyncSpec.Field("user_id", "id"));
    syncs.create(
        "gov",
        new SyncStore.Draft(
            "Governed",
            "everyone",
            "files",
            SyncMode.UPSERT,
            spec.mappingJson(),
            spec.identifierJson(),
            "{\"type\":\"manual\"}",
            true,
            false),
        box.seal("trigger-secret-0123456789"),
        "bench");
    engine.resetState("gov");

    List<Double> off = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      long t = System.nanoTime();
      engine.dryRun("gov", 0);
      off.add((System.nanoTime() - t) / 1e9);
    }

    // every mechanism on
    consent.put(
        "{\"source\":{\"table\":\"bench.consent\"},\"subjectColumn\":\"data_subject_identifier\","
            + "\"purposeColumn\":\"purpose\",\"statusColumn\":\"status\",\"timestampColumn\":"
            + "\"updated_at\",\"parentColumn\":\"email\",\"missing\":{\"default\":\"block\"}}",
        "bench");
    destinations.setRuleAndPurposes(
        "files",
        "{\"type\":\"property\",\"column\":\"marketing_opt_in\",\"op\":\"eq\",\"value\":true}",
        "[\"advertising\"]");
    categories.create(
        "region",
        new SubsetCategoryStore.Draft(
            "Region",
            "users",
            List.of(
                new SubsetCategoryStore.Subset(
                    "europe",
                    "Europe",
                    "{\"type\":\"property\",\"column\":\"country\",\"op\":\"in\",\"value\":"
                        + "[\"DE\",\"FR\",\"GB\",\"ES\",\"IT\",\"NL\",\"SE\",\"PL\"]}"))),
        "bench");
    syncs.setSubsets("gov", Map.of("region", List.of("europe")));
    lists.create(
        "offers",
        new PriorityListStore.Draft("Offers", "users", List.of("loyal", "germany", "everyone")),
        "bench");
    splits.put(
        "everyone",
        "bench",
        "[{\"name\":\"a\",\"percent\":45},{\"name\":\"b\",\"percent\":45},"
            + "{\"name\":\"control\",\"percent\":10,\"holdout\":true}]",
        null,
        "bench");
    List<Double> on = new ArrayList<>();
    SyncEngine.DryRun last = null;
    for (int i = 0; i < 3; i++) {
      long t = System.nanoTime();
      last = engine.dryRun("gov", 0);
      on.add((System.nanoTime() - t) / 1e9);
    }
    double a = SyncBenchmark.median(off);
    double b = SyncBenchmark.median(on);
    double added = (b - a) / a;
    List<String> lines = new ArrayList<>();
    lines.add(
        "Command: `./mvnw -B -ntp -Pbench -DskipTests verify -Dbench=governance` ("
            + String.format(Locale.ROOT, "%,d", users)
            + " users; "
            + Runtime.getRuntime().availableProcessors()
            + " cores; embedded PostgreSQL 17, durable). A dry run is the run's materialize,"
            + " govern and diff steps, nothing sent.");
    lines.add("");
    lines.add("| | materialize + govern + diff (median of 3) | target | |");
    lines.add("|---|---|---|---|");
    lines.add(
        SyncBenchmark.row(
            "nothing governs the sync", String.format(Locale.ROOT, "%.2f s", a), "", ""));
    lines.add(
        SyncBenchmark.row(
            "consent (1 purpose), rule, subset, priority list of 3, split with holdout",
            String.format(Locale.ROOT, "%.2f s (+%.0f%%)", b, added * 100),
            "≤ +20%",
            added <= 0.20 ? "met" : "NOT met"));
    lines.add("");
    lines.add(
        "Excluded with everything on, by first reason: "
            + last.excluded()
            + " of "
            + String.format(Locale.ROOT, "%,d", last.members())
            + " members.");
    app.close();
    return String.join("\n", lines);
  }

  private static void audience(AudienceStore audiences, String key, String filter) {
    audiences.create(
        key,
        new AudienceStore.Draft(
            key, null, "users", "{\"parent\":\"users\",\"filter\":" + filter + "}"),
        "bench");
  }
}
