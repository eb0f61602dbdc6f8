package io.customerstudio.query.governance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import io.customerstudio.query.testing.Engine;
import io.customerstudio.query.testing.RandomConditions;
import io.customerstudio.query.testing.ReferenceEvaluator;
import io.customerstudio.query.testing.ShopFixture;
import io.customerstudio.query.testing.TestPostgres;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jooq.CommonTableExpression;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Record2;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Thousands of random governance scenarios (consent histories, subsets, destination rules, priority
 * lists and splits over {@link ShopFixture}'s users), each decided by the production SQL ({@link
 * Governance#excluded} over members grouped by {@link SplitSql#group}) on PostgreSQL and by an
 * independent Java oracle written here from the governance spec; the excluded members, their first
 * reasons and details, the split groups and the spec's invariants must agree. A failure prints the
 * seed and the whole scenario as JSON; {@code -Dgovernance.scenarios=N} raises the count, {@code
 * -Dgovernance.seed=S} changes the seed and {@code -Dgovernance.only=ID} replays one.
 *
 * <p>Receipts are written in bulk (COPY) for a chunk of scenarios up front; each scenario's consent
 * source is a query filtered by its id, so one scenario costs one statement (two with a priority
 * list, whose audiences are also sent separately to check exclusivity).
 */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class GovernanceScenariosTest {

  static final int SCENARIOS = Integer.getInteger("governance.scenarios", 10_000);
  static final long SEED = Long.getLong("governance.seed", 20261201L);
  static final int ONLY = Integer.getInteger("governance.only", -1);
  static final int CHUNK = 500;
  static final int THREADS = Integer.getInteger("governance.threads", 2);
  static final String SCHEMA = "gov_scenarios";

  static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final List<String> PURPOSES = List.of("ads", "analytics", "email", "sms");
  static final List<String> STATUSES =
      List.of(
          "ACTIVE",
          "ALWAYS_ACTIVE",
          "OPT_OUT",
          "WITHDRAWN",
          "HARD_OPT_OUT",
          "NO_CONSENT",
          "EXPIRED",
          "PENDING",
          "DORMANT",
          "  active ",
          "Always_Active",
          "active",
          " opt_out",
          "");
  static final List<String> GROUP_NAMES =
      List.of("treatment", "variant-b", "control", "hold out", "Variant.C");
  static final List<String> STRATA = List.of("country", "vip");

  static ShopFixture shop;
  static DSLContext dsl;
  static ModelInfo users;
  static ReferenceEvaluator reference;
  static AudienceCompiler.Resolver resolver;
  static Map<Long, Map<String, Object>> usersById = new HashMap<>();

  static Engine current;

  /**
   * How many random scenarios: 10,000 on PostgreSQL; DuckDB plans each small statement more slowly
   * (about 0.2 s a scenario, its strength being large scans), so it runs the first 300 of the same
   * generator and seed.
   */
  int scenarios() {
    return SCENARIOS;
  }

  /** The engine this class runs on; {@code GovernanceScenariosDuckDbTest} runs it on DuckDB. */
  Engine engine() {
    return Engine.POSTGRES;
  }

  @BeforeAll
  void setUp() {
    current = engine();
    usersById.clear();
    shop = ShopFixture.small(current);
    dsl = shop.dsl;
    users = shop.catalog.model("users").orElseThrow();
    Map<String, AudienceDefinition> saved =
        Map.of(
            "germans",
            definition(
                "{\"type\": \"property\", \"column\": \"country\", \"op\": \"in\", \"value\": [\"DE\", \"de\"]}"),
            "buyers",
            definition(
                "{\"type\": \"relation\", \"relationship\": \"purchases\", \"where\": {\"type\": \"property\", \"column\": \"status\", \"op\": \"eq\", \"value\": \"paid\"}}"));
    resolver =
        new AudienceCompiler.Resolver() {
          @Override
          public Optional<AudienceDefinition> audience(String key) {
            return Optional.ofNullable(saved.get(key));
          }

          @Override
          public Optional<AudienceCompiler.TemplateBody> template(String key) {
            return Optional.empty();
          }
        };
    reference = new ReferenceEvaluator(shop, saved, ShopFixture.AS_OF);
    shop.users.forEach(u -> usersById.put((Long) u.get("user_id"), u));
    dsl.execute("drop schema if exists " + SCHEMA + " cascade");
    dsl.execute("create schema " + SCHEMA);
    dsl.execute(
        "create table "
            + SCHEMA
            + ".receipts (scenario integer not null, data_subject_identifier text,"
            + " purpose text, status text, updated_at timestamptz)");
    if (current == Engine.POSTGRES) {
      dsl.execute("create index on " + SCHEMA + ".receipts (scenario)");
    }
  }

  // ------------------------------------------------------------------------------ the scenarios

  record Receipt(String subject, String purpose, String status, OffsetDateTime at) {}

  record Higher(String name, JsonNode json, AudienceDefinition definition) {}

  /** One random send: who is in the audience and everything that governs it. */
  record Scenario(
      int id,
      long seed,
      List<Long> members,
      JsonNode subsetJson,
      Condition subset,
      JsonNode ruleJson,
      Condition rule,
      List<String> purposes,
      ObjectNode consentJson,
      Consent consent,
      List<Receipt> receipts,
      List<Higher> higher,
      ObjectNode splitJson,
      Split split,
      Set<String> delivered) {

    Governance.Policy policy() {
      return new Governance.Policy(
          subset,
          subset == null ? null : "region: eu",
          purposes,
          consent,
          rule,
          rule == null ? null : "destination rule",
          higher.isEmpty() ? null : "list-" + id,
          higher.stream().map(h -> new Governance.Higher(h.name(), h.definition())).toList(),
          split,
          delivered);
    }

    String describe() {
      ObjectNode o = F.objectNode();
      o.put("seed", SEED).put("scenario", id).put("scenarioSeed", seed);
      ArrayNode m = o.putArray("members");
      members.forEach(m::add);
      o.set("subset", subsetJson);
      o.set("rule", ruleJson);
      ArrayNode p = o.putArray("purposes");
      purposes.forEach(p::add);
      o.set("consent", consentJson);
      ArrayNode h = o.putArray("higher");
      higher.forEach(x -> h.addObject().put("name", x.name()).set("filter", x.json()));
      o.set("split", splitJson);
      ArrayNode d = o.putArray("delivered");
      new TreeSet<>(delivered).forEach(d::add);
      ArrayNode r = o.putArray("receipts");
      receipts.forEach(
          x ->
              r.addArray()
                  .add(x.subject())
                  .add(x.purpose())
                  .add(x.status())
                  .add(x.at() == null ? null : x.at().toString()));
      return o.toString();
    }
  }

  static Scenario scenario(int id) {
    long seed = SEED * 0x9E3779B97F4A7C15L + id;
    Random r = new Random(seed);
    RandomConditions conditions = new RandomConditions(seed ^ 0x5DEECE66DL);

    // the audience: 10 to 45 of the 50 users
    List<Long> all = new ArrayList<>(usersById.keySet());
    Collections.sort(all);
    Collections.shuffle(all, r);
    List<Long> members = new ArrayList<>(all.subList(0, 10 + r.nextInt(36)));
    Collections.sort(members);

    JsonNode subsetJson = r.nextInt(3) == 0 ? conditions.condition(r.nextInt(2)) : null;
    JsonNode ruleJson = r.nextInt(3) == 0 ? conditions.condition(r.nextInt(2)) : null;

    // consent: 0-3 required purposes, odd spellings included
    List<String> purposes = new ArrayList<>();
    int np = r.nextInt(10) < 4 ? 0 : 1 + r.nextInt(3);
    for (int i = 0; i < np; i++) {
      purposes.add(oddly(r, PURPOSES.get(r.nextInt(3))));
    }
    ObjectNode consentJson = null;
    Consent consent = null;
    List<Receipt> receipts = new ArrayList<>();
    if (np == 0 || r.nextInt(12) > 0) {
      consentJson = F.objectNode();
      consentJson
          .putObject("source")
          .put("sql", "select * from " + SCHEMA + ".receipts where scenario = " + id);
      consentJson
          .put("subjectColumn", "data_subject_identifier")
          .put("purposeColumn", "purpose")
          .put("statusColumn", "status")
          .put("timestampColumn", "updated_at")
          .put("parentColumn", r.nextInt(40) == 0 ? "country_code" : "email");
      switch (r.nextInt(20)) {
        case 0 -> consentJson.put("parent", "products");
        case 1, 2, 3 -> consentJson.put("parent", "users");
        default -> {}
      }
      ObjectNode missing = consentJson.putObject("missing");
      if (r.nextInt(4) > 0) {
        missing.put("default", r.nextBoolean() ? "allow" : "block");
      }
      if (r.nextBoolean()) {
        ObjectNode per = missing.putObject("purposes");
        for (String p : PURPOSES) {
          if (r.nextInt(3) == 0) {
            per.put(oddly(r, p), r.nextBoolean() ? "allow" : "block");
          }
        }
      }
      Problems problems = new Problems();
      consent = Consent.read(consentJson, "$.consent", problems);
      problems.throwIfAny();
      receipts = receipts(r, members, all);
    }

    // a priority list: 0-3 audiences ranked above this one
    List<Higher> higher = new ArrayList<>();
    int nh = r.nextInt(10) < 4 ? 0 : 1 + r.nextInt(3);
    for (int i = 0; i < nh; i++) {
      JsonNode c = conditions.condition(r.nextInt(2));
      higher.add(
          new Higher(
              List.of("vip", "winback", "newsletter").get(i) + "-" + r.nextInt(100),
              c,
              new AudienceDefinition("users", condition(c))));
    }

    // a split: 1-4 groups, two decimals summing to 100, some holdouts
    ObjectNode splitJson = null;
    Split split = null;
    Set<String> delivered = Set.of();
    if (r.nextInt(10) < 6) {
      int ng = 1 + r.nextInt(4);
      TreeSet<Integer> cuts = new TreeSet<>();
      while (cuts.size() < ng - 1) {
        cuts.add(1 + r.nextInt(Split.BUCKETS - 1));
      }
      cuts.add(Split.BUCKETS);
      List<String> names = new ArrayList<>(GROUP_NAMES);
      Collections.shuffle(names, r);
      splitJson = F.objectNode();
      splitJson.put(
          "salt", "salt-" + Long.toHexString(r.nextLong()).substring(0, 1 + r.nextInt(8)));
      ArrayNode groups = splitJson.putArray("groups");
      int lo = 0;
      int gi = 0;
      for (int hi : cuts) {
        ObjectNode g = groups.addObject();
        g.put("name", names.get(gi++));
        g.put("percent", BigDecimal.valueOf(hi - lo, 2));
        if (r.nextInt(10) < 3) {
          g.put("holdout", true);
        }
        lo = hi;
      }
      if (r.nextInt(10) < 3) {
        splitJson.put("stratifyBy", STRATA.get(r.nextInt(STRATA.size())));
      }
      Problems problems = new Problems();
      split = Split.read(splitJson, "$.split", problems);
      problems.throwIfAny();
      if (r.nextBoolean()) {
        delivered = new LinkedHashSet<>(split.deliveredByDefault());
      } else {
        delivered = new LinkedHashSet<>();
        for (String g : split.deliveredByDefault()) {
          if (r.nextBoolean()) {
            delivered.add(g);
          }
        }
      }
    }
    return new Scenario(
        id,
        seed,
        members,
        subsetJson,
        subsetJson == null ? null : condition(subsetJson),
        ruleJson,
        ruleJson == null ? null : condition(ruleJson),
        purposes,
        consentJson,
        consent,
        receipts,
        higher,
        splitJson,
        split,
        delivered);
  }

  /**
   * OneTrust-like receipts: most members have 1-4 per purpose (some none), with statuses of every
   * kind, few distinct timestamps (so ties are common), null timestamps, subjects spelled unlike
   * the parent's email, and receipts of people outside the audience and of unknown subjects.
   */
  static List<Receipt> receipts(Random r, List<Long> members, List<Long> all) {
    List<Receipt> out = new ArrayList<>();
    List<String> subjects = new ArrayList<>();
    members.forEach(m -> subjects.add((String) usersById.get(m).get("email")));
    for (int i = 0; i < 4; i++) {
      subjects.add((String) usersById.get(all.get(all.size() - 1 - i)).get("email"));
    }
    subjects.add("nobody@example.com");
    for (String email : subjects) {
      if (r.nextInt(6) == 0) {
        continue; // no receipt at all
      }
      for (String purpose : PURPOSES) {
        if (r.nextInt(10) < 3) {
          continue;
        }
        int n = 1 + (r.nextInt(3) == 0 ? r.nextInt(4) : 0);
        for (int k = 0; k < n; k++) {
          String status =
              r.nextInt(60) == 0
                  ? null
                  : r.nextInt(25) == 0
                      ? "unknown-" + r.nextInt(3)
                      : STATUSES.get(r.nextInt(STATUSES.size()));
          OffsetDateTime at =
              r.nextInt(10) == 0
                  ? null
                  : ShopFixture.AS_OF.minusSeconds(86_400L * r.nextInt(4)).atOffset(ZoneOffset.UTC);
          out.add(new Receipt(oddSubject(r, email), oddly(r, purpose), status, at));
        }
      }
    }
    return out;
  }

  /** The same word with odd case or surrounding whitespace. */
  static String oddly(Random r, String s) {
    return switch (r.nextInt(8)) {
      case 0 -> "  " + s.toUpperCase(Locale.ROOT) + " ";
      case 1 -> Character.toUpperCase(s.charAt(0)) + s.substring(1);
      case 2 -> s + " ";
      case 3 -> s.toUpperCase(Locale.ROOT);
      case 4 -> r.nextInt(4) == 0 ? "\t" + s + "\n" : s;
      default -> s;
    };
  }

  static String oddSubject(Random r, String email) {
    return switch (r.nextInt(8)) {
      case 0 -> " " + Character.toUpperCase(email.charAt(0)) + email.substring(1) + " ";
      case 1 -> email.toUpperCase(Locale.ROOT);
      case 2 -> "  " + email;
      case 3 -> r.nextInt(4) == 0 ? email + "\t" : email;
      default -> email;
    };
  }

  static Condition condition(JsonNode json) {
    Problems problems = new Problems();
    Condition c = AudienceJson.readCondition(json, "$.filter", problems);
    problems.throwIfAny();
    return c;
  }

  static AudienceDefinition definition(String filterJson) {
    return new AudienceDefinition("users", condition(AudienceJson.parse(filterJson)));
  }

  // ---------------------------------------------------------------------------------- the oracle

  /** What the oracle says about one member. */
  record Expected(String reason, String detail) {}

  /** The spec's trimming and case folding, written here without the production helpers. */
  static String norm(String s) {
    return s == null ? null : s.strip().toLowerCase(Locale.ROOT);
  }

  /** The latest receipt of a (subject, purpose): its status as compared, or a tie. */
  record Latest(boolean tie, String status) {}

  static Map<String, Latest> latest(List<Receipt> receipts) {
    Map<String, List<Receipt>> by = new HashMap<>();
    for (Receipt x : receipts) {
      if (x.subject() == null || x.purpose() == null) {
        continue;
      }
      by.computeIfAbsent(norm(x.subject()) + "\n" + norm(x.purpose()), k -> new ArrayList<>())
          .add(x);
    }
    Map<String, Latest> out = new HashMap<>();
    by.forEach(
        (k, list) -> {
          // a receipt without a timestamp is older than any with one
          Instant max = null;
          boolean any = false;
          for (Receipt x : list) {
            Instant at = x.at() == null ? Instant.MIN : x.at().toInstant();
            if (!any || at.isAfter(max)) {
              max = at;
              any = true;
            }
          }
          List<Receipt> top = new ArrayList<>();
          for (Receipt x : list) {
            Instant at = x.at() == null ? Instant.MIN : x.at().toInstant();
            if (at.equals(max)) {
              top.add(x);
            }
          }
          String status = top.get(0).status();
          out.put(
              k,
              new Latest(
                  top.size() > 1, status == null ? null : status.strip().toUpperCase(Locale.ROOT)));
        });
    return out;
  }

  /** Null when every purpose allows; else the first blocking purpose's detail. */
  static String consentBlock(Scenario s, long member, Map<String, Latest> latest) {
    if (s.purposes().isEmpty()) {
      return null;
    }
    Consent c = s.consent();
    if (c == null) {
      return norm(s.purposes().get(0)) + ": no consent source is set";
    }
    if ((c.parent() != null && !c.parent().equals("users")) || !c.parentColumn().equals("email")) {
      return norm(s.purposes().get(0)) + ": consent does not apply to users";
    }
    String subject = norm((String) usersById.get(member).get("email"));
    for (String raw : s.purposes()) {
      String p = norm(raw);
      Latest l = latest.get(subject + "\n" + p);
      if (l == null) {
        JsonNode per = s.consentJson().path("missing").path("purposes");
        boolean allows = "allow".equals(s.consentJson().path("missing").path("default").asText());
        for (var it = per.fields(); it.hasNext(); ) {
          var e = it.next();
          if (norm(e.getKey()).equals(p)) {
            allows = e.getValue().asText().equals("allow");
          }
        }
        if (!allows) {
          return p + ": no receipt";
        }
      } else if (l.tie()) {
        return p + ": tie";
      } else if (!"ACTIVE".equals(l.status()) && !"ALWAYS_ACTIVE".equals(l.status())) {
        return p + ": " + (l.status() == null ? "no status" : l.status());
      }
    }
    return null;
  }

  static String md5(String s) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The spec's bucket, from the hex digest: first 32 bits, unsigned, mod 10000. */
  static int bucket(String salt, String key) {
    return (int) (Long.parseLong(md5(salt + ":" + key).substring(0, 8), 16) % 10_000);
  }

  /** Each group's exclusive upper bound in buckets (percent * 100, cumulative). */
  static long[] bounds(Split split) {
    long[] b = new long[split.groups().size()];
    long sum = 0;
    for (int i = 0; i < b.length; i++) {
      sum += split.groups().get(i).percent().movePointRight(2).longValueExact();
      b[i] = sum;
    }
    return b;
  }

  static String owner(Split split, long bucket) {
    long[] b = bounds(split);
    for (int i = 0; i < b.length; i++) {
      if (bucket < b[i]) {
        return split.groups().get(i).name();
      }
    }
    throw new IllegalStateException("bucket " + bucket);
  }

  /** The oracle's split groups of the audience's members. */
  static Map<Long, String> groups(Scenario s) {
    Map<Long, String> out = new HashMap<>();
    Split split = s.split();
    if (split == null) {
      return out;
    }
    if (split.stratifyBy() == null) {
      for (long m : s.members()) {
        out.put(m, owner(split, bucket(split.salt(), Long.toString(m))));
      }
      return out;
    }
    Map<Object, List<Long>> strata = new HashMap<>();
    for (long m : s.members()) {
      Object v = usersById.get(m).get(split.stratifyBy());
      strata.computeIfAbsent(v == null ? "\0null" : v, k -> new ArrayList<>()).add(m);
    }
    long[] b = bounds(split);
    for (List<Long> stratum : strata.values()) {
      stratum.sort(
          (x, y) -> {
            int c = md5(split.salt() + ":" + x).compareTo(md5(split.salt() + ":" + y));
            return c != 0 ? c : Long.toString(x).compareTo(Long.toString(y));
          });
      long n = stratum.size();
      for (int rank = 0; rank < n; rank++) {
        for (int i = 0; i < b.length; i++) {
          if (rank < n * b[i] / 10_000) {
            out.put(stratum.get(rank), split.groups().get(i).name());
            break;
          }
        }
      }
    }
    return out;
  }

  /** Who is excluded and why, in the spec's order: subset, consent, rule, priority, split. */
  static Map<Long, Expected> expected(Scenario s, Map<Long, String> groups) {
    Set<Long> subset =
        s.subset() == null ? null : reference.members(new AudienceDefinition("users", s.subset()));
    Set<Long> rule =
        s.rule() == null ? null : reference.members(new AudienceDefinition("users", s.rule()));
    List<Set<Long>> higher =
        s.higher().stream().map(h -> reference.members(h.definition())).toList();
    Map<String, Latest> latest = latest(s.receipts());
    boolean splitting = s.split() != null && !s.delivered().containsAll(s.split().names());
    Map<Long, Expected> out = new TreeMap<>();
    for (long m : s.members()) {
      String consent = consentBlock(s, m, latest);
      Expected e = null;
      if (subset != null && !subset.contains(m)) {
        e = new Expected("subset", "region: eu");
      } else if (consent != null) {
        e = new Expected("consent", consent);
      } else if (rule != null && !rule.contains(m)) {
        e = new Expected("rule", "destination rule");
      } else {
        for (int i = 0; i < higher.size() && e == null; i++) {
          if (higher.get(i).contains(m)) {
            e = new Expected("priority", s.higher().get(i).name());
          }
        }
        if (e == null && splitting && !s.delivered().contains(groups.get(m))) {
          String g = groups.get(m);
          e = new Expected(s.split().isHoldout(g) ? "holdout" : "split", g);
        }
      }
      if (e != null) {
        out.put(m, e);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------------------ the production

  /** A member as the production SQL decided it: its split group, and its reason when excluded. */
  record Decided(String group, String reason, String detail) {}

  /**
   * The audience's members grouped like the run's materialize step ({@link SplitSql#group} over all
   * members, before exclusions), left-joined to {@link Governance#excluded}: one statement.
   */
  static Select<? extends Record> production(Scenario s, AudienceCompiler compiler) {
    Table<?> u = DSL.table(DSL.name("shop", "users")).as("mu");
    Field<Long> id = DSL.field(DSL.name("mu", "user_id"), SQLDataType.BIGINT);
    Field<String> key = id.cast(SQLDataType.CLOB);
    Field<String> grp =
        s.split() == null
            ? DSL.inline((String) null, SQLDataType.CLOB)
            : SplitSql.group(
                s.split(),
                key,
                s.split().stratifyBy() == null
                    ? null
                    : DSL.field(DSL.name("mu", s.split().stratifyBy())));
    CommonTableExpression<Record2<String, String>> m =
        DSL.name("mm")
            .fields("member", "grp")
            .as(DSL.select(key, grp).from(u).where(id.in(s.members())));
    Table<?> x = Governance.excluded(m, users, compiler, s.policy()).asTable("xx");
    return DSL.with(m)
        .select(
            m.field("member", SQLDataType.CLOB),
            m.field("grp", SQLDataType.CLOB),
            x.field("reason", SQLDataType.CLOB),
            x.field("detail", SQLDataType.CLOB))
        .from(m)
        .leftJoin(x)
        .on(x.field("member", SQLDataType.CLOB).eq(m.field("member", SQLDataType.CLOB)));
  }

  /**
   * Every audience of the priority list (the higher ones, then this one) sent separately over the
   * same data, governed by the list alone: rows (send, member, reason, detail).
   */
  static Select<Record> sends(
      Scenario s, List<AudienceDefinition> list, AudienceCompiler compiler) {
    Select<Record> union = null;
    for (int i = 0; i < list.size(); i++) {
      var c = compiler.compile(list.get(i), "$.send[" + i + "]");
      Table<?> members =
          DSL.select(
                  c.key().cast(SQLDataType.CLOB).as("member"),
                  DSL.inline((String) null, SQLDataType.CLOB).as("grp"))
              .from(c.root().table())
              .where(c.where())
              .asTable("s" + i);
      List<Governance.Higher> higher = new ArrayList<>();
      for (int j = 0; j < i; j++) {
        higher.add(new Governance.Higher(s.higher().get(j).name(), list.get(j)));
      }
      Governance.Policy p =
          new Governance.Policy(
              null, null, List.of(), null, null, null, "list", higher, null, Set.of());
      Table<?> x = Governance.excluded(members, users, compiler, p).asTable("e" + i);
      @SuppressWarnings("unchecked")
      Select<Record> one =
          (Select<Record>)
              (Select<?>)
                  DSL.select(
                          DSL.inline(i).as("send"),
                          members.field("member", SQLDataType.CLOB),
                          x.field("reason", SQLDataType.CLOB),
                          x.field("detail", SQLDataType.CLOB))
                      .from(members)
                      .leftJoin(x)
                      .on(
                          x.field("member", SQLDataType.CLOB)
                              .eq(members.field("member", SQLDataType.CLOB)));
      union = union == null ? one : (Select<Record>) union.unionAll(one);
    }
    return union;
  }

  // ----------------------------------------------------------------------------------- the test

  @Test
  void randomScenariosAgreeWithTheOracle() throws Exception {
    int scenarios = scenarios();
    // the oracle's md5 bucket is the production's Java bucket, and PostgreSQL's md5 is Java's
    for (String k : List.of("1", "42", "ann@x.com", "ü")) {
      assertThat(bucket("s", k)).isEqualTo(Split.bucket("s", k));
      assertThat(dsl.fetchValue("select md5(?)", "s:" + k)).isEqualTo(md5("s:" + k));
    }
    System.out.printf(
        "governance scenarios: %d, seed %d (-Dgovernance.seed=%d to replay)%n",
        scenarios, SEED, SEED);
    long t0 = System.nanoTime();
    LongAdder sqlNanos = new LongAdder();
    Map<String, Integer> reasons = new ConcurrentHashMap<>();
    LongAdder exclusivityChecks = new LongAdder();
    LongAdder stratified = new LongAdder();
    ForkJoinPool pool = new ForkJoinPool(THREADS);
    try {
      for (int from = 0; from < scenarios; from += CHUNK) {
        List<Scenario> chunk = new ArrayList<>();
        for (int id = from; id < Math.min(scenarios, from + CHUNK); id++) {
          if (ONLY < 0 || ONLY == id) {
            chunk.add(scenario(id));
          }
        }
        write(chunk);
        try {
          pool.submit(
                  () ->
                      chunk.parallelStream()
                          .forEach(s -> run(s, sqlNanos, reasons, exclusivityChecks, stratified)))
              .get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof AssertionError a) {
            throw a;
          }
          throw e;
        }
        dsl.execute("delete from " + SCHEMA + ".receipts");
      }
    } finally {
      pool.shutdown();
    }
    System.out.printf(
        "governance scenarios: %d in %d ms (sql %d ms); members by outcome %s; %d priority lists"
            + " sent separately; %d stratified splits%n",
        scenarios,
        (System.nanoTime() - t0) / 1_000_000,
        sqlNanos.sum() / 1_000_000,
        new TreeMap<>(reasons),
        exclusivityChecks.sum(),
        stratified.sum());
    if (current == Engine.POSTGRES) {
      // CPU, not wall time, for a loaded machine: this JVM and the warehouse's backends
      long backendTicks = 0;
      for (Integer pid :
          dsl.fetch("select pid from pg_stat_activity where backend_type = 'client backend'")
              .getValues(0, Integer.class)) {
        String[] stat =
            java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"))
                .replaceAll(".*\\) ", "")
                .split(" ");
        backendTicks += Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
      }
      System.out.printf(
          "governance scenarios CPU: jvm %d ms, warehouse backends %d ms%n",
          ((com.sun.management.OperatingSystemMXBean)
                      java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                  .getProcessCpuTime()
              / 1_000_000,
          backendTicks * 10);
    }
    if (ONLY < 0) {
      // the generator must reach every reason often, or the test proves little
      for (String r :
          List.of("subset", "consent", "rule", "priority", "split", "holdout", "eligible")) {
        assertThat(reasons.getOrDefault(r, 0)).as(r).isGreaterThan(scenarios / 20);
      }
    }
  }

  /** One scenario: the production's statement, the oracle, every check. */
  static void run(
      Scenario s,
      LongAdder sqlNanos,
      Map<String, Integer> reasons,
      LongAdder exclusivityChecks,
      LongAdder stratified) {
    long t = System.nanoTime();
    Map<Long, Decided> decided = new TreeMap<>();
    AudienceCompiler compiler = new AudienceCompiler(shop.catalog, resolver, ShopFixture.AS_OF);
    Select<? extends Record> q;
    try {
      q = production(s, compiler);
      for (Record rec : dsl.fetch(q)) {
        Decided d =
            new Decided(
                rec.get(1, String.class), rec.get(2, String.class), rec.get(3, String.class));
        assertThat(decided.put(Long.parseLong(rec.get(0, String.class)), d))
            .as(() -> "member " + rec.get(0) + " is listed once\n" + s.describe())
            .isNull();
      }
    } catch (RuntimeException e) {
      throw new AssertionError("seed " + SEED + ", scenario failed to run: " + s.describe(), e);
    }
    sqlNanos.add(System.nanoTime() - t);
    if (Boolean.getBoolean("governance.timing")) {
      var plan = dsl.fetch("explain (analyze, summary) " + dsl.renderInlined(q));
      System.out.printf(
          "TIMING %d ms %s %s: subset %s rule %s purposes %d higher %d split %s%n",
          (System.nanoTime() - t) / 1_000_000,
          plan.get(plan.size() - 2).get(0),
          plan.get(plan.size() - 1).get(0),
          s.subsetJson(),
          s.ruleJson(),
          s.purposes().size(),
          s.higher().size(),
          s.splitJson());
    }
    check(s, decided, q);
    decided
        .values()
        .forEach(d -> reasons.merge(d.reason() == null ? "eligible" : d.reason(), 1, Integer::sum));
    if (s.split() != null && s.split().stratifyBy() != null) {
      stratified.increment();
    }
    if (!s.higher().isEmpty()) {
      long t2 = System.nanoTime();
      checkExclusivity(s);
      sqlNanos.add(System.nanoTime() - t2);
      exclusivityChecks.increment();
    }
  }

  static void check(Scenario s, Map<Long, Decided> decided, Select<? extends Record> q) {
    Supplier<String> why =
        () -> "seed " + SEED + ", scenario:\n" + s.describe() + "\nSQL: " + dsl.renderInlined(q);
    // 4. members = eligible + excluded, each member once
    assertThat(decided.keySet()).as(why).containsExactlyInAnyOrderElementsOf(s.members());

    // 5. the split groups
    Map<Long, String> groups = groups(s);
    if (s.split() != null) {
      Map<Long, String> got = new TreeMap<>();
      decided.forEach((k, d) -> got.put(k, d.group()));
      assertThat(got).as(why).isEqualTo(new TreeMap<>(groups));
      if (s.split().stratifyBy() == null) {
        for (long m : s.members()) {
          assertThat(got.get(m))
              .as(why)
              .isEqualTo(s.split().groupOf(Split.bucket(s.split().salt(), Long.toString(m))));
        }
      } else {
        Map<String, Map<String, Integer>> sizes = new HashMap<>();
        Map<String, Integer> n = new HashMap<>();
        for (long m : s.members()) {
          String stratum = String.valueOf(usersById.get(m).get(s.split().stratifyBy()));
          n.merge(stratum, 1, Integer::sum);
          sizes.computeIfAbsent(stratum, k -> new HashMap<>()).merge(got.get(m), 1, Integer::sum);
        }
        sizes.forEach(
            (stratum, bySize) -> {
              for (Split.Group g : s.split().groups()) {
                double exact = n.get(stratum) * g.percent().doubleValue() / 100;
                assertThat((double) bySize.getOrDefault(g.name(), 0))
                    .as(
                        () ->
                            String.format("stratum %s group %s: %s", stratum, g.name(), why.get()))
                    .isBetween(exact - 1, exact + 1);
              }
            });
      }
    } else {
      decided.values().forEach(d -> assertThat(d.group()).as(why).isNull());
    }

    // 1. the excluded set, each member's first reason and its detail
    Map<Long, Expected> expected = expected(s, groups);
    Map<Long, Expected> got = new TreeMap<>();
    decided.forEach(
        (k, d) -> {
          if (d.reason() != null) {
            got.put(k, new Expected(d.reason(), d.detail()));
          }
        });
    assertThat(got).as(why).isEqualTo(expected);

    // 2. nobody consent blocks and no holdout member is ever eligible
    Map<String, Latest> latest = latest(s.receipts());
    decided.forEach(
        (k, d) -> {
          if (d.reason() == null) {
            assertThat(consentBlock(s, k, latest))
                .as(() -> String.format("eligible %d: %s", k, why.get()))
                .isNull();
            if (s.split() != null) {
              assertThat(s.split().isHoldout(d.group()))
                  .as(() -> String.format("eligible %d: %s", k, why.get()))
                  .isFalse();
              assertThat(s.delivered())
                  .as(() -> String.format("eligible %d: %s", k, why.get()))
                  .contains(d.group());
            }
          }
        });
  }

  /**
   * 3. Priority exclusivity: each audience of the list sent separately over the same data, with
   * nothing but the list governing; each person is eligible in at most one send, the highest-ranked
   * audience they belong to, and every exclusion is a priority naming that audience.
   */
  static void checkExclusivity(Scenario s) {
    List<AudienceDefinition> list = new ArrayList<>();
    s.higher().forEach(h -> list.add(h.definition()));
    ObjectNode self =
        F.objectNode().put("type", "property").put("column", "user_id").put("op", "in");
    ArrayNode values = self.putArray("value");
    s.members().forEach(values::add);
    list.add(new AudienceDefinition("users", condition(self)));
    List<String> names = new ArrayList<>(s.higher().stream().map(Higher::name).toList());
    names.add("self");
    List<Set<Long>> sets = list.stream().map(reference::members).toList();

    AudienceCompiler compiler = new AudienceCompiler(shop.catalog, resolver, ShopFixture.AS_OF);
    Select<Record> q = sends(s, list, compiler);
    Supplier<String> why =
        () -> "seed " + SEED + ", scenario:\n" + s.describe() + "\nSQL: " + dsl.renderInlined(q);
    Map<Long, List<Integer>> eligibleIn = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (Record rec : dsl.fetch(q)) {
      int send = rec.get(0, Integer.class);
      long m = Long.parseLong(rec.get(1, String.class));
      assertThat(seen.add(send + ":" + m))
          .as(() -> String.format("listed once: %d in %d; %s", m, send, why.get()))
          .isTrue();
      assertThat(sets.get(send)).as(why).contains(m);
      if (rec.get(2) == null) {
        eligibleIn.computeIfAbsent(m, k -> new ArrayList<>()).add(send);
      } else {
        assertThat(rec.get(2, String.class)).as(why).isEqualTo("priority");
        int winner = -1;
        for (int i = 0; i < send && winner < 0; i++) {
          if (sets.get(i).contains(m)) {
            winner = i;
          }
        }
        int w = winner;
        assertThat(w)
            .as(() -> String.format("excluded %d from %d: %s", m, send, why.get()))
            .isGreaterThanOrEqualTo(0);
        assertThat(rec.get(3, String.class)).as(why).isEqualTo(names.get(w));
      }
    }
    for (int i = 0; i < sets.size(); i++) {
      for (long m : sets.get(i)) {
        assertThat(seen).as(why).contains(i + ":" + m);
      }
    }
    Set<Long> everyone = new HashSet<>();
    sets.forEach(everyone::addAll);
    for (long m : everyone) {
      int highest = 0;
      while (!sets.get(highest).contains(m)) {
        highest++;
      }
      assertThat(eligibleIn.get(m))
          .as(() -> String.format("member %d: %s", m, why.get()))
          .containsExactly(highest);
    }
  }

  // ------------------------------------------------------------------------ splits at scale

  static final int MANY = 100_000;

  /** A random split of 1-5 groups, two decimals summing to 100. */
  static Split randomSplit(Random r, String stratifyBy) {
    int ng = 1 + r.nextInt(5);
    TreeSet<Integer> cuts = new TreeSet<>();
    while (cuts.size() < ng - 1) {
      cuts.add(1 + r.nextInt(Split.BUCKETS - 1));
    }
    cuts.add(Split.BUCKETS);
    List<Split.Group> groups = new ArrayList<>();
    int lo = 0;
    for (int hi : cuts) {
      groups.add(
          new Split.Group("g" + groups.size(), BigDecimal.valueOf(hi - lo, 2), r.nextBoolean()));
      lo = hi;
    }
    return new Split("salt-" + r.nextInt(1000), groups, stratifyBy);
  }

  /** Member keys 1..n as text, from generate_series. */
  static Table<?> keys(int n) {
    return DSL.select(
            DSL.field("g", SQLDataType.INTEGER).cast(SQLDataType.CLOB).as("k"),
            DSL.field("g % 7", SQLDataType.INTEGER).as("stratum"))
        .from(DSL.table("generate_series(1, " + n + ") as s(g)"))
        .asTable("ks");
  }

  @Test
  void splitProportionsHoldAtAHundredThousandMembers() {
    Random r = new Random(SEED);
    for (int i = 0; i < 6; i++) {
      Split split = randomSplit(r, null);
      Table<?> ks = keys(MANY);
      Field<String> grp = SplitSql.group(split, ks.field("k", SQLDataType.CLOB), null).as("grp");
      Table<?> grouped = DSL.select(grp).from(ks).asTable("gr");
      Map<String, Integer> counts = new HashMap<>();
      dsl.select(grouped.field("grp"), DSL.count())
          .from(grouped)
          .groupBy(grouped.field("grp"))
          .forEach(rec -> counts.put(rec.get(0, String.class), rec.get(1, Integer.class)));
      for (Split.Group g : split.groups()) {
        double share = 100.0 * counts.getOrDefault(g.name(), 0) / MANY;
        assertThat(share)
            .as("%s of %s", g.name(), split)
            .isBetween(g.percent().doubleValue() - 1, g.percent().doubleValue() + 1);
      }
      assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(MANY);
    }
  }

  @Test
  void stratifiedSplitsAreWithinOneMemberPerStratumAtAHundredThousand() {
    Random r = new Random(SEED + 1);
    for (int i = 0; i < 3; i++) {
      Split split = randomSplit(r, "stratum");
      Table<?> ks = keys(MANY);
      Field<?> stratum = ks.field("stratum");
      Table<?> grouped =
          DSL.select(
                  stratum.as("st"),
                  SplitSql.group(split, ks.field("k", SQLDataType.CLOB), stratum).as("grp"))
              .from(ks)
              .asTable("gr");
      Map<Integer, Map<String, Integer>> counts = new HashMap<>();
      dsl.select(grouped.field("st"), grouped.field("grp"), DSL.count())
          .from(grouped)
          .groupBy(grouped.field("st"), grouped.field("grp"))
          .forEach(
              rec ->
                  counts
                      .computeIfAbsent(rec.get(0, Integer.class), k -> new HashMap<>())
                      .put(rec.get(1, String.class), rec.get(2, Integer.class)));
      assertThat(counts).hasSize(7);
      counts.forEach(
          (st, byGroup) -> {
            int n = byGroup.values().stream().mapToInt(Integer::intValue).sum();
            for (Split.Group g : split.groups()) {
              double exact = n * g.percent().doubleValue() / 100;
              assertThat((double) byGroup.getOrDefault(g.name(), 0))
                  .as("stratum %d, %s of %s", st, g.name(), split)
                  .isBetween(exact - 1, exact + 1);
            }
          });
    }
  }

  /**
   * The same keys get the same groups from a new connection of its own (no pool, no session state),
   * and those groups are Java's {@link Split#bucket} and {@link Split#groupOf}; changing one
   * group's percentage moves exactly the members whose bucket changed owner.
   */
  @Test
  void assignmentIsStableAndMovesOnlyWhenItsBucketChangesOwner() throws Exception {
    Random r = new Random(SEED + 2);
    Split split = randomSplit(r, null);
    while (split.groups().size() < 2 || split.groups().get(1).buckets() < 2) {
      split = randomSplit(r, null);
    }
    Map<String, String> first = groupsOf(split, null);
    Map<String, String> again;
    try (Connection c =
        current == Engine.POSTGRES
            ? DriverManager.getConnection(
                TestPostgres.server().getJdbcUrl("postgres", "postgres"), "postgres", null)
            : shop.dataSource.getConnection()) {
      again = groupsOf(split, DSL.using(c, current.dialect()));
    }
    assertThat(again).isEqualTo(first);
    for (var e : first.entrySet()) {
      assertThat(e.getValue())
          .as(e.getKey())
          .isEqualTo(split.groupOf(Split.bucket(split.salt(), e.getKey())));
    }

    // one group's share moves to its neighbour: buckets change owner only between the two bounds
    List<Split.Group> changed = new ArrayList<>(split.groups());
    int i = 0;
    Split.Group a = changed.get(i);
    Split.Group b = changed.get(i + 1);
    // from 0.01 up to all but 0.01 of b's share
    BigDecimal delta = BigDecimal.valueOf(1 + r.nextInt(b.buckets() - 1), 2);
    changed.set(i, new Split.Group(a.name(), a.percent().add(delta), a.holdout()));
    changed.set(i + 1, new Split.Group(b.name(), b.percent().subtract(delta), b.holdout()));
    Split after = new Split(split.salt(), changed, null);
    Map<String, String> moved = groupsOf(after, null);
    int moves = 0;
    for (var e : first.entrySet()) {
      int bucket = bucket(split.salt(), e.getKey());
      boolean ownerChanged = !owner(split, bucket).equals(owner(after, bucket));
      boolean memberMoved = !e.getValue().equals(moved.get(e.getKey()));
      assertThat(memberMoved)
          .as("member %s, bucket %d", e.getKey(), bucket)
          .isEqualTo(ownerChanged);
      if (memberMoved) {
        moves++;
        assertThat(e.getValue()).isEqualTo(b.name());
        assertThat(moved.get(e.getKey())).isEqualTo(a.name());
      }
    }
    // about delta percent of the members move, and only from b to a
    assertThat(100.0 * moves / first.size())
        .isBetween(delta.doubleValue() - 1, delta.doubleValue() + 1);
  }

  /** Keys 1..20000 and their groups, computed by the warehouse ({@code on} a given connection). */
  static Map<String, String> groupsOf(Split split, DSLContext on) {
    Table<?> ks = keys(20_000);
    Map<String, String> out = new HashMap<>();
    (on == null ? dsl : on)
        .select(ks.field("k"), SplitSql.group(split, ks.field("k", SQLDataType.CLOB), null))
        .from(ks)
        .forEach(rec -> out.put(rec.get(0, String.class), rec.get(1, String.class)));
    return out;
  }

  /** All receipts of a chunk of scenarios in one COPY. */
  static void write(List<Scenario> chunk) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (Scenario s : chunk) {
      for (Receipt x : s.receipts()) {
        sb.append(s.id())
            .append('\t')
            .append(copy(x.subject()))
            .append('\t')
            .append(copy(x.purpose()))
            .append('\t')
            .append(copy(x.status()))
            .append('\t')
            .append(x.at() == null ? "\\N" : x.at().toString())
            .append('\n');
      }
    }
    if (current == Engine.DUCKDB) {
      try (Connection c = shop.dataSource.getConnection();
          org.duckdb.DuckDBAppender a =
              c.unwrap(org.duckdb.DuckDBConnection.class).createAppender(SCHEMA, "receipts")) {
        for (Scenario s : chunk) {
          for (Receipt x : s.receipts()) {
            a.beginRow().append(s.id());
            for (String v : new String[] {x.subject(), x.purpose(), x.status()}) {
              if (v == null) {
                a.appendNull();
              } else {
                a.append(v);
              }
            }
            if (x.at() == null) {
              a.appendNull();
            } else {
              a.append(x.at());
            }
            a.endRow();
          }
        }
      }
      return;
    }
    try (Connection c = shop.dataSource.getConnection()) {
      c.unwrap(PGConnection.class)
          .getCopyAPI()
          .copyIn("copy " + SCHEMA + ".receipts from stdin", new StringReader(sb.toString()));
    }
    dsl.execute("analyze " + SCHEMA + ".receipts");
  }

  static String copy(String v) {
    if (v == null) {
      return "\\N";
    }
    return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
  }
}
