package io.customerstudio.query.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.governance.Split;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.JdbcIntrospector;
import io.customerstudio.query.schema.SchemaDocument;
import io.customerstudio.query.schema.SchemaValidator;
import io.customerstudio.query.testing.Engine;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import javax.sql.DataSource;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * The split sizes the warehouse counts agree with the assignment computed in Java ({@link
 * Split#bucket}, {@link Split#groupOf}, and the stratified rank rule written out again here) over
 * the same 5,000 members: proof that {@code SplitSql} and {@code Split} are one function.
 */
class SplitSizesTest {

  static final int MEMBERS = 5_000;
  static final List<String> COUNTRIES = List.of("DE", "FR", "US", "GB", "NL");

  record Member(String key, String country, int n) {}

  static final List<Member> rows = new ArrayList<>();
  static final Map<Engine, AudienceEngine> ENGINES = new java.util.EnumMap<>(Engine.class);

  static {
    Random r = new Random(11);
    for (int i = 0; i < MEMBERS; i++) {
      // uneven strata, one of them NULL; keys with odd characters too
      int c = r.nextInt(100);
      String country = c < 5 ? null : COUNTRIES.get(Math.min(4, c / 20));
      String key = (i % 97 == 0 ? "ü,key " : "m-") + i;
      rows.add(new Member(key, country, r.nextInt(1000)));
    }
  }

  /** The engine this class runs on; {@code SplitSizesDuckDbTest} runs it all on DuckDB. */
  Engine engine() {
    return Engine.POSTGRES;
  }

  static synchronized AudienceEngine warehouse(Engine e) {
    try {
      return build(e);
    } catch (Exception x) {
      throw new IllegalStateException(x);
    }
  }

  private static AudienceEngine build(Engine e) throws Exception {
    DataSource ds = e.newDatabase("splits");
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute("create schema t");
      st.execute("create table t.members (member_key text primary key, country text, n integer)");
      try (PreparedStatement ps = c.prepareStatement("insert into t.members values (?, ?, ?)")) {
        for (Member m : rows) {
          ps.setString(1, m.key());
          ps.setString(2, m.country());
          ps.setInt(3, m.n());
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    Catalog catalog =
        new SchemaValidator(new JdbcIntrospector(ds))
            .validate(
                SchemaDocument.parse(
                    """
                    {"models": [{"name": "members", "kind": "parent",
                                 "source": {"table": "t.members"}, "primaryKey": "member_key"}],
                     "traits": [{"name": "tier", "model": "members", "kind": "sql",
                                 "expression": "case when n % 3 = 0 then 'a' else 'b' end",
                                 "type": "string"}]}"""));
    return new AudienceEngine(catalog, DSL.using(ds, e.dialect()), AudienceCompiler.Resolver.NONE);
  }

  /** Members with n below 900: the audience's filter, so the sizes are over its members only. */
  static final String FILTER =
      "{\"type\": \"property\", \"column\": \"n\", \"op\": \"lt\", \"value\": 900}";

  static AudienceDefinition definition() {
    Problems p = new Problems();
    AudienceDefinition d =
        AudienceJson.readDefinition(
            AudienceJson.parse("{\"parent\": \"members\", \"filter\": " + FILTER + "}"), "$", p);
    p.throwIfAny();
    return d;
  }

  static List<Member> members() {
    return rows.stream().filter(m -> m.n() < 900).toList();
  }

  static Split split(String json) {
    Problems p = new Problems();
    Split s = Split.read(AudienceJson.parse(json), "$", p);
    p.throwIfAny();
    return s;
  }

  SplitSizes.Sizes sizes(Split split) {
    return ENGINES
        .computeIfAbsent(engine(), SplitSizesTest::warehouse)
        .splitSizes(definition(), "$", Instant.EPOCH, split, "$.stratifyBy");
  }

  static Map<String, Long> groupsOf(SplitSizes.Sizes s) {
    Map<String, Long> out = new LinkedHashMap<>();
    s.groups().forEach(g -> out.put(g.name(), g.members()));
    return out;
  }

  @Test
  void unstratifiedSizesEqualTheJavaAssignment() {
    Split split =
        split(
            """
            {"salt": "q4-test", "groups": [{"name": "treatment", "percent": 45},
              {"name": "variant-b", "percent": 45.5}, {"name": "control", "percent": 9.5,
               "holdout": true}]}""");
    Map<String, Long> expected = new LinkedHashMap<>();
    split.names().forEach(n -> expected.put(n, 0L));
    for (Member m : members()) {
      expected.merge(split.groupOf(Split.bucket(split.salt(), m.key())), 1L, Long::sum);
    }
    SplitSizes.Sizes s = sizes(split);
    assertThat(groupsOf(s)).isEqualTo(expected);
    assertThat(s.members()).isEqualTo(members().size());
    assertThat(s.strata()).isEmpty();
    assertThat(s.groups().get(2).holdout()).isTrue();
    // proportions: each group within 4 standard deviations of its share
    int n = members().size();
    for (SplitSizes.GroupSize g : s.groups()) {
      double p = g.percent().doubleValue() / 100;
      assertThat((double) g.members())
          .isCloseTo(n * p, org.assertj.core.data.Offset.offset(4 * Math.sqrt(n * p * (1 - p))));
    }
  }

  @Test
  void aNewSaltReshufflesAndChangedPercentagesMoveOnlyTheBucketsThatChangeOwner() {
    Split before =
        split(
            "{\"salt\": \"s\", \"groups\": [{\"name\": \"a\", \"percent\": 50},"
                + " {\"name\": \"b\", \"percent\": 50}]}");
    Split after =
        split(
            "{\"salt\": \"s\", \"groups\": [{\"name\": \"a\", \"percent\": 40},"
                + " {\"name\": \"b\", \"percent\": 60}]}");
    long moved = 0;
    for (Member m : members()) {
      int b = Split.bucket("s", m.key());
      String from = before.groupOf(b);
      String to = after.groupOf(b);
      if (!from.equals(to)) {
        moved++;
        // only a's buckets in [4000, 5000) change owner, and only to b
        assertThat(from).isEqualTo("a");
        assertThat(b).isBetween(4000, 4999);
      }
    }
    assertThat(groupsOf(sizes(after)).get("a") + moved).isEqualTo(groupsOf(sizes(before)).get("a"));
  }

  @Test
  void stratifiedByAColumnSplitsEveryStratumWithinOneMemberOfTheExactShares() {
    Split split =
        split(
            """
            {"salt": "strata", "groups": [{"name": "treatment", "percent": 33.33},
              {"name": "variant-b", "percent": 33.33}, {"name": "control", "percent": 33.34,
               "holdout": true}], "stratifyBy": "country"}""");
    Map<String, Map<String, Long>> expected = javaStratified(split, Member::country);
    SplitSizes.Sizes s = sizes(split);
    assertThat(s.stratifyBy()).isEqualTo("country");
    assertThat(s.strataCount()).isEqualTo(COUNTRIES.size() + 1);
    Map<String, Map<String, Long>> actual = new HashMap<>();
    for (SplitSizes.Stratum st : s.strata()) {
      actual.put(String.valueOf(st.value()), st.groups());
      assertThat(st.members()).isEqualTo(st.groups().values().stream().mapToLong(x -> x).sum());
      for (Split.Group g : split.groups()) {
        double exact = st.members() * g.percent().doubleValue() / 100;
        assertThat((double) st.groups().get(g.name()))
            .as("%s in stratum %s", g.name(), st.value())
            .isCloseTo(exact, org.assertj.core.data.Offset.offset(1.0));
      }
    }
    assertThat(actual).isEqualTo(expected);
    // the null stratum comes first
    assertThat(s.strata().get(0).value()).isNull();
    Map<String, Long> totals = new LinkedHashMap<>();
    expected.values().forEach(m -> m.forEach((k, v) -> totals.merge(k, v, Long::sum)));
    assertThat(groupsOf(s)).isEqualTo(totals);
  }

  @Test
  void stratifiedByATraitAgreesWithJavaToo() {
    Split split =
        split(
            """
            {"salt": "t", "groups": [{"name": "a", "percent": 10}, {"name": "b", "percent": 90}],
             "stratifyBy": "tier"}""");
    Map<String, Map<String, Long>> expected =
        javaStratified(split, m -> m.n() % 3 == 0 ? "a" : "b");
    Map<String, Map<String, Long>> actual = new HashMap<>();
    sizes(split).strata().forEach(st -> actual.put(String.valueOf(st.value()), st.groups()));
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void anUnknownStratumIsAProblemAtItsPathWithASuggestion() {
    Split split =
        split(
            "{\"salt\": \"s\", \"groups\": [{\"name\": \"a\", \"percent\": 100}],"
                + " \"stratifyBy\": \"contry\"}");
    assertThatThrownBy(() -> sizes(split))
        .isInstanceOfSatisfying(
            ValidationException.class,
            e -> {
              assertThat(e.problems().get(0).path()).isEqualTo("$.stratifyBy");
              assertThat(e.problems().get(0).message()).contains("did you mean \"country\"");
            });
  }

  /**
   * The rank rule in Java: per stratum, members ordered by md5(salt ':' key) then key; group i
   * takes the ranks below floor(n * hi_i / 10000).
   */
  static Map<String, Map<String, Long>> javaStratified(
      Split split, java.util.function.Function<Member, String> stratumOf) {
    Map<String, List<Member>> plain = new HashMap<>();
    for (Member m : members()) {
      plain.computeIfAbsent(stratumOf.apply(m), k -> new ArrayList<>()).add(m);
    }
    int[] bounds = split.bounds();
    Map<String, Map<String, Long>> out = new HashMap<>();
    for (Map.Entry<String, List<Member>> e : plain.entrySet()) {
      List<Member> ms = new ArrayList<>(e.getValue());
      ms.sort(
          Comparator.comparing((Member m) -> md5(split.salt() + ":" + m.key()))
              .thenComparing(Member::key));
      long n = ms.size();
      Map<String, Long> groups = new LinkedHashMap<>();
      split.names().forEach(x -> groups.put(x, 0L));
      for (int rank = 0; rank < n; rank++) {
        int g = 0;
        while (g < bounds.length - 1 && rank >= n * bounds[g] / Split.BUCKETS) {
          g++;
        }
        groups.merge(split.groups().get(g).name(), 1L, Long::sum);
      }
      out.put(String.valueOf(e.getKey()), groups);
    }
    assertThat(out.keySet()).allMatch(Objects::nonNull);
    return out;
  }

  static String md5(String s) {
    try {
      byte[] d = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
      return String.format("%032x", new BigInteger(1, d));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
