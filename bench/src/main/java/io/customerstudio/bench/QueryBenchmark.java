package io.customerstudio.bench;

import io.customerstudio.infra.demo.DemoWarehouseBootstrap;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.engine.AudienceEngine;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.JdbcIntrospector;
import io.customerstudio.query.schema.SchemaDocument;
import io.customerstudio.query.schema.SchemaValidator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * Issue 3's benchmark: representative audiences compiled by the engine, each timed against a
 * hand-written query for the same members, in the same run and database, warm, median of several
 * alternating runs. Counts must agree or the run stops.
 */
final class QueryBenchmark {

  static final Instant AS_OF = Instant.parse("2026-11-01T00:00:00Z");
  static final int RUNS = Integer.parseInt(System.getenv().getOrDefault("BENCH_RUNS", "5"));

  record Case(String name, String filter, String handWritten) {}

  static final String S = "bench";

  /**
   * The seed example by hand on DuckDB, checking each key is a user as the generated SQL must (an
   * event's or a purchase's user_id need not name a row of users): see {@code
   * DuckDbBenchmark.seedChecked}.
   */
  static final String SEED_CHECKED =
      """
      select count(*) from bench.users u where u.loyalty_member or u.user_id in (
        select user_id from bench.events where event_type = 'order_completed'
          and occurred_at between timestamptz '2026-10-18T00:00:00Z' and timestamptz '2026-11-01T00:00:00Z'
        union select user_id from bench.purchases where status = 'paid' group by user_id having sum(amount) > 1000)""";

  static final List<Case> CASES =
      List.of(
          new Case(
              "seed example: ordered in the last 2 weeks OR loyalty member OR lifetime value > 1000",
              """
          {"type": "or", "conditions": [
            {"type": "event", "event": "events", "eventType": "order_completed", "window": {"withinLast": {"amount": 2, "unit": "week"}}},
            {"type": "property", "column": "loyalty_member", "op": "is_true"},
            {"type": "trait", "trait": "lifetime_value", "op": "gt", "value": 1000}]}""",
              """
          select count(*) from (
            select user_id from bench.users where loyalty_member
            union select user_id from bench.events where event_type = 'order_completed'
                    and occurred_at between timestamptz '2026-10-18T00:00:00Z' and timestamptz '2026-11-01T00:00:00Z'
            union select user_id from bench.purchases where status = 'paid' group by user_id having sum(amount) > 1000) members"""),
          new Case(
              "relation aggregate: paid purchases summing to at least 500",
              """
          {"type": "relation", "relationship": "purchases", "where": {"type": "property", "column": "status", "op": "eq", "value": "paid"},
           "aggregate": {"function": "sum", "column": "amount", "op": "gte", "value": 500}}""",
              "select count(*) from bench.users u where u.user_id in (select user_id from bench.purchases where status = 'paid' group by user_id having sum(amount) >= 500)"),
          new Case(
              "nested AND/OR/NOT on properties",
              """
          {"type": "and", "conditions": [
            {"type": "property", "column": "country", "op": "in", "value": ["DE", "FR", "NL"]},
            {"type": "not", "condition": {"type": "property", "column": "marketing_opt_in", "op": "is_false"}},
            {"type": "or", "conditions": [
              {"type": "property", "column": "loyalty_tier", "op": "in", "value": ["gold", "platinum"]},
              {"type": "property", "column": "signup_at", "op": "within_last", "value": {"amount": 1, "unit": "year"}}]}]}""",
              """
          select count(*) from bench.users u where u.country in ('DE', 'FR', 'NL') and u.marketing_opt_in
            and (u.loyalty_tier in ('gold', 'platinum') or u.signup_at between timestamptz '2025-11-01T00:00:00Z' and timestamptz '2026-11-01T00:00:00Z')"""),
          new Case(
              "event count in a window: 3+ page views in the last 30 days",
              """
          {"type": "event", "event": "events", "eventType": "page_view", "window": {"withinLast": {"amount": 30, "unit": "day"}},
           "count": {"op": "gte", "value": 3}}""",
              """
          select count(*) from bench.users u where u.user_id in (select user_id from bench.events where event_type = 'page_view'
            and occurred_at between timestamptz '2026-10-02T00:00:00Z' and timestamptz '2026-11-01T00:00:00Z' group by user_id having count(*) >= 3)"""),
          new Case(
              "audience reference: buyers who are not in 'germans'",
              """
          {"type": "and", "conditions": [
            {"type": "audience", "audience": "buyers", "op": "member"},
            {"type": "audience", "audience": "germans", "op": "not_member"}]}""",
              """
          select count(*) from bench.users u where exists (select 1 from bench.purchases p where p.user_id = u.user_id and p.status = 'paid')
            and u.country is distinct from 'DE'"""),
          new Case(
              "case trait: value tier is gold",
              "{\"type\": \"trait\", \"trait\": \"value_tier\", \"op\": \"eq\", \"value\": \"gold\"}",
              "select count(*) from bench.users u where u.user_id in (select user_id from bench.purchases where status = 'paid' group by user_id having sum(amount) >= 1000)"),
          new Case(
              "did not perform: buyers with no email opened in 90 days",
              """
          {"type": "and", "conditions": [
            {"type": "relation", "relationship": "purchases"},
            {"type": "event", "event": "events", "eventType": "email_opened", "window": {"withinLast": {"amount": 90, "unit": "day"}}, "count": {"op": "eq", "value": 0}}]}""",
              """
          select count(*) from bench.users u where exists (select 1 from bench.purchases p where p.user_id = u.user_id)
            and not exists (select 1 from bench.events e where e.user_id = u.user_id and e.event_type = 'email_opened'
                            and e.occurred_at between timestamptz '2026-08-03T00:00:00Z' and timestamptz '2026-11-01T00:00:00Z')"""),
          new Case(
              "nested relation: bought shoes in the last 180 days",
              """
          {"type": "relation", "relationship": "purchases", "where": {"type": "and", "conditions": [
            {"type": "property", "column": "purchased_at", "op": "within_last", "value": {"amount": 180, "unit": "day"}},
            {"type": "relation", "relationship": "product", "where": {"type": "property", "column": "category", "op": "eq", "value": "shoes"}}]}}""",
              """
          select count(*) from bench.users u where u.user_id in (select p.user_id from bench.purchases p join bench.products pr on pr.product_id = p.product_id
            where pr.category = 'shoes' and p.purchased_at between timestamptz '2026-05-05T00:00:00Z' and timestamptz '2026-11-01T00:00:00Z')"""),
          new Case(
              "property only: US users born before 1990",
              """
          {"type": "and", "conditions": [
            {"type": "property", "column": "country", "op": "eq", "value": "US"},
            {"type": "property", "column": "birth_date", "op": "before", "value": "1990-01-01"}]}""",
              "select count(*) from bench.users u where u.country = 'US' and u.birth_date < date '1990-01-01'"));

  static final Map<String, String> SAVED =
      Map.of(
          "buyers",
              "{\"type\": \"relation\", \"relationship\": \"purchases\", \"where\": {\"type\": \"property\", \"column\": \"status\", \"op\": \"eq\", \"value\": \"paid\"}}",
          "germans",
              "{\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"DE\"}");

  /** The engine over the bench schema of a warehouse in the given dialect. */
  static AudienceEngine engine(DataSource ds, SQLDialect dialect) {
    Catalog catalog =
        new SchemaValidator(new JdbcIntrospector(ds))
            .validate(SchemaDocument.parse(DemoWarehouseBootstrap.demoSchemaDocument(S)));
    AudienceCompiler.Resolver resolver =
        new AudienceCompiler.Resolver() {
          @Override
          public Optional<AudienceDefinition> audience(String key) {
            return Optional.ofNullable(SAVED.get(key)).map(QueryBenchmark::definition);
          }

          @Override
          public Optional<AudienceCompiler.TemplateBody> template(String key) {
            return Optional.empty();
          }
        };
    return new AudienceEngine(catalog, DSL.using(ds, dialect), resolver);
  }

  static String run(DataSource ds, int users) {
    DSLContext db = DSL.using(ds, SQLDialect.POSTGRES);
    AudienceEngine engine = engine(ds, SQLDialect.POSTGRES);
    List<String> lines = new ArrayList<>();
    lines.add(
        "Command: `./mvnw -B -ntp -Pbench -DskipTests verify -Dbench=query` (BENCH_USERS="
            + users
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cores, embedded PostgreSQL 17 with default server settings; every connection sets UTC,"
            + " custom plans and jit = off, as the app's do). Each audience: 2 warm-up runs, then "
            + RUNS_TEXT
            + " of the generated and the hand-written count; medians. asOf "
            + AS_OF
            + ".");
    lines.add("");
    lines.add("| audience | members | generated (ms) | hand-written (ms) | ratio |");
    lines.add("|---|---:|---:|---:|---:|");
    double[] ratios = new double[CASES.size()];
    for (int i = 0; i < CASES.size(); i++) {
      Case c = CASES.get(i);
      AudienceDefinition d = definition(c.filter());
      long generatedCount = engine.count(d, "$", AS_OF);
      long handCount = db.fetchOne(c.handWritten()).get(0, Long.class);
      if (generatedCount != handCount) {
        throw new IllegalStateException(
            c.name() + ": generated " + generatedCount + " members, hand-written " + handCount);
      }
      double[] ms =
          alternating(2, () -> engine.count(d, "$", AS_OF), () -> db.fetchOne(c.handWritten()));
      double g = ms[0];
      double h = ms[1];
      ratios[i] = g / h;
      lines.add(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %.0f | %.0f | %.2f |",
              c.name(),
              generatedCount,
              g,
              h,
              ratios[i]));
      System.out.printf(
          Locale.ROOT,
          "%-70s %,10d  gen %7.0f ms  hand %7.0f ms  ratio %.2f%n",
          c.name(),
          generatedCount,
          g,
          h,
          ratios[i]);
    }
    double[] sorted = ratios.clone();
    Arrays.sort(sorted);
    double medianRatio =
        sorted.length % 2 == 1
            ? sorted[sorted.length / 2]
            : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    double worst = sorted[sorted.length - 1];
    lines.add("");
    lines.add(
        String.format(
            Locale.ROOT,
            "**Median ratio %.2f** (target <= 1.10: %s), **worst %.2f** (target <= 1.5: %s).",
            medianRatio,
            medianRatio <= 1.10 ? "met" : "NOT met",
            worst,
            worst <= 1.5 ? "met" : "NOT met"));

    // latency a marketer sees: a typical audience's count, and a sampled preview
    AudienceDefinition seed = definition(CASES.get(0).filter());
    long[] count = new long[RUNS];
    long[] sampled = new long[RUNS];
    for (int r = 0; r < RUNS; r++) {
      long t0 = System.nanoTime();
      engine.preview(seed, "$", AS_OF, null, 0, List.of());
      count[r] = System.nanoTime() - t0;
      t0 = System.nanoTime();
      engine.preview(seed, "$", AS_OF, new AudienceEngine.Sampling(1, 42), 0, List.of());
      sampled[r] = System.nanoTime() - t0;
    }
    lines.add("");
    lines.add(
        String.format(
            Locale.ROOT,
            "Preview latency of the seed example (count only, median of %d): exact **%.0f ms** (target <= 1000: %s); "
                + "sampled 1%% **%.0f ms** (target <= 200: %s).",
            RUNS,
            median(count) / 1e6,
            median(count) / 1e6 <= 1000 ? "met" : "NOT met",
            median(sampled) / 1e6,
            median(sampled) / 1e6 <= 200 ? "met" : "NOT met"));
    lines.addAll(liveSize(engine));
    lines.add("");
    lines.add(
        "Indexes in the benchmark warehouse (created by the demo generator, not by the engine, which never creates indexes in a"
            + " customer's warehouse): primary keys of all five tables; `users(email)`; `purchases(user_id)`; `events(user_id, occurred_at)`;"
            + " `consent(data_subject_identifier, purpose, updated_at)`.");
    return String.join("\n", lines);
  }

  /**
   * What the builder's live size does after an edit: a 300 ms debounce, then a 1% sample whose
   * labelled estimate shows at once, then the exact count that replaces it. Timed here on the same
   * engine calls, in the same order (the browser round trip over the open push channel is not
   * included).
   */
  static List<String> liveSize(AudienceEngine engine) {
    final long debounceMs = 300;
    List<String> out = new ArrayList<>();
    out.add("");
    out.add(
        "Builder live size (the audience editor's size panel: 300 ms debounce, then a 1% sample whose labelled"
            + " estimate shows at once, then the exact count; medians of "
            + RUNS
            + " runs; target: a size appears <= 1000 ms after the last edit):");
    out.add("");
    out.add("| audience | estimate shown (ms) | exact count shown (ms) | a size within 1 s |");
    out.add("|---|---:|---:|---|");
    int within = 0;
    for (Case c : CASES) {
      AudienceDefinition d = definition(c.filter());
      long[] first = new long[RUNS];
      long[] exact = new long[RUNS];
      for (int r = 0; r < RUNS; r++) {
        long t0 = System.nanoTime();
        engine.preview(d, "$", AS_OF, new AudienceEngine.Sampling(1, 42), 0, List.of());
        first[r] = System.nanoTime() - t0;
        engine.preview(d, "$", AS_OF, null, 0, List.of());
        exact[r] = System.nanoTime() - t0;
      }
      double f = median(first) / 1e6 + debounceMs;
      double x = median(exact) / 1e6 + debounceMs;
      within += f <= 1000 ? 1 : 0;
      out.add(
          String.format(
              Locale.ROOT, "| %s | %.0f | %.0f | %s |", c.name(), f, x, f <= 1000 ? "yes" : "no"));
    }
    out.add("");
    out.add(
        String.format(
            Locale.ROOT,
            "A size appeared within 1 s for **%d of %d** audiences.",
            within,
            CASES.size()));
    return out;
  }

  static AudienceDefinition definition(String filter) {
    Problems p = new Problems();
    AudienceDefinition d =
        AudienceJson.readDefinition(
            AudienceJson.parse("{\"parent\": \"users\", \"filter\": " + filter + "}"), "$", p);
    p.throwIfAny();
    return d;
  }

  /** How often {@link #warmCompiler} compiles and renders each audience. */
  static final int COMPILER_WARM_UPS = 500;

  /**
   * Compiles and renders the count of every bench audience {@link #COMPILER_WARM_UPS} times,
   * without running it: the compiler and jOOQ's renderer are then compiled by the JIT, as in a
   * server that has been up a while, and a timed run measures the query rather than the
   * interpreter.
   */
  static void warmCompiler(AudienceEngine engine, DSLContext db) {
    for (int i = 0; i < COMPILER_WARM_UPS; i++) {
      for (Case c : CASES) {
        var compiled = engine.compile(definition(c.filter()), "$", AS_OF);
        db.render(
            DSL.selectCount()
                .from(DSL.selectOne().from(compiled.root().table()).where(compiled.where())));
      }
    }
  }

  /**
   * The most timed runs of a quick pair: a pair of a few ms moves by a third from run to run, and
   * one of 100-300 ms (DuckDB's slower counts) by tens of ms.
   */
  static final int MAX_RUNS = Math.max(RUNS, 25);

  /**
   * A quick pair is timed as often as fits in this many ms (at least {@link #RUNS} times). DuckDB's
   * counts of 100-300 ms have a long tail: the seed example's generated count took 128 ms at best,
   * 142 ms at the median and 174 ms at the third quartile over 15 runs on an idle machine. Within 3
   * s the seed's pair ran 8 times, and the median of 8 moved its ratio between 1.14 and 1.67 from
   * one run of the bench to the next; 10 s gives a pair under 400 ms its 25 runs.
   */
  static final long BUDGET_MS = 10_000;

  /** How a pair is timed, for the reports. */
  static final String RUNS_TEXT =
      RUNS
          + " alternating timed runs (a quicker pair: as many as fit in "
          + BUDGET_MS / 1000
          + " s, up to "
          + MAX_RUNS
          + ")";

  /**
   * {@code warmUps} untimed calls of each, then alternating timed calls of {@code a} and {@code b}
   * ({@link #RUNS}, or as many as the last warm-up pair's time fits in {@link #BUDGET_MS}, up to
   * {@link #MAX_RUNS}): their medians in ms, {@code {a, b}}. Alternating spreads a noisy moment of
   * the machine over both.
   */
  static double[] alternating(int warmUps, Runnable a, Runnable b) {
    long pair = Long.MAX_VALUE;
    for (int w = 0; w < warmUps; w++) {
      long t0 = System.nanoTime();
      a.run();
      b.run();
      pair = System.nanoTime() - t0;
    }
    int runs = (int) Math.max(RUNS, Math.min(MAX_RUNS, BUDGET_MS * 1_000_000L / Math.max(1, pair)));
    long[] ta = new long[runs];
    long[] tb = new long[runs];
    for (int r = 0; r < runs; r++) {
      long t0 = System.nanoTime();
      a.run();
      ta[r] = System.nanoTime() - t0;
      t0 = System.nanoTime();
      b.run();
      tb[r] = System.nanoTime() - t0;
    }
    double[] medians = {median(ta) / 1e6, median(tb) / 1e6};
    System.out.printf(
        Locale.ROOT,
        "  %d runs, ms min/median/max: %.0f/%.0f/%.0f against %.0f/%.0f/%.0f%n",
        runs,
        Arrays.stream(ta).min().orElse(0) / 1e6,
        medians[0],
        Arrays.stream(ta).max().orElse(0) / 1e6,
        Arrays.stream(tb).min().orElse(0) / 1e6,
        medians[1],
        Arrays.stream(tb).max().orElse(0) / 1e6);
    return medians;
  }

  static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  static double median(long[] values) {
    long[] s = values.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
  }
}
