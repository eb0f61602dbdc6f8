package io.customerstudio.query.journey;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.query.Problem;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Op;
import io.customerstudio.query.journey.JourneyDefinition.AudienceEntry;
import io.customerstudio.query.journey.JourneyDefinition.Branch;
import io.customerstudio.query.journey.JourneyDefinition.EventEntry;
import io.customerstudio.query.journey.JourneyDefinition.EventExit;
import io.customerstudio.query.journey.JourneyDefinition.EventMatch;
import io.customerstudio.query.journey.JourneyDefinition.PropertyPredicate;
import io.customerstudio.query.journey.JourneyDefinition.Reentry;
import io.customerstudio.query.journey.JourneyDefinition.Send;
import io.customerstudio.query.journey.JourneyDefinition.SplitNode;
import io.customerstudio.query.journey.JourneyDefinition.Wait;
import io.customerstudio.query.journey.JourneyDefinition.WaitUntil;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The reader: the spec's example reads into the records; each malformed part is one path. */
class JourneyJsonTest {

  /** The spec's section 1 example, over the test shop's users. */
  static final String EXAMPLE =
      """
      {
        "key": "abandoned-cart", "name": "Abandoned cart", "parent": "users",
        "entry": {"type": "event", "eventType": "add_to_cart",
                  "where": [{"property": "value", "op": "gte", "value": 20}]},
        "reentry": {"policy": "after_exit"},
        "exitCriteria": [{"event": {"eventType": "order_completed"}}],
        "settings": {
          "quietHours": {"from": "21:00", "to": "08:00", "timezoneColumn": "country",
                         "defaultTimezone": "UTC"},
          "frequencyCap": {"max": 2, "per": "P1D"}
        },
        "start": "wait-1d",
        "nodes": [
          {"id": "wait-1d", "type": "wait", "duration": "P1D", "next": "bought"},
          {"id": "bought", "type": "wait_until",
           "event": {"eventType": "order_completed"}, "timeout": "P2D",
           "next": "done", "timeoutNext": "value"},
          {"id": "value", "type": "branch",
           "branches": [{"name": "high value", "next": "test",
                         "condition": {"type": "trait", "trait": "ltv", "op": "gt", "value": 500}}],
           "else": "ads"},
          {"id": "test", "type": "split", "salt": "cart-2026-12",
           "groups": [{"name": "email", "percent": 45, "next": "send-email"},
                      {"name": "email+ads", "percent": 45, "next": "send-both"},
                      {"name": "control", "percent": 10, "holdout": true}]},
          {"id": "send-email", "type": "send", "destination": "esp-hook",
           "identifier": {"from": "email", "to": "email"},
           "mapping": [{"from": "country", "to": "country"},
                       {"from": "event.properties.cart_url", "to": "cartUrl"}],
           "next": "done"},
          {"id": "send-both", "type": "send", "destination": "ads-hook",
           "identifier": {"from": "email", "to": "email"}, "mapping": [], "next": "send-email"},
          {"id": "ads", "type": "send", "destination": "ads-hook",
           "identifier": {"from": "email", "to": "email"}, "mapping": [], "next": "done"},
          {"id": "done", "type": "exit"}
        ]
      }
      """;

  static ObjectNode example() {
    return (ObjectNode) AudienceJson.parse(EXAMPLE);
  }

  static ObjectNode node(ObjectNode doc, int i) {
    return (ObjectNode) doc.get("nodes").get(i);
  }

  static List<Problem> problems(JsonNode doc) {
    Problems problems = new Problems();
    JourneyJson.read(doc, problems);
    return problems.list();
  }

  static List<Problem> problems(Consumer<ObjectNode> change) {
    ObjectNode doc = example();
    change.accept(doc);
    return problems(doc);
  }

  static List<String> paths(Consumer<ObjectNode> change) {
    return problems(change).stream().map(Problem::path).toList();
  }

  @Test
  void theSpecExampleReadsIntoTheRecords() {
    Problems problems = new Problems();
    JourneyDefinition d = JourneyJson.read(example(), problems);
    assertThat(problems.list()).isEmpty();
    assertThat(d.key()).isEqualTo("abandoned-cart");
    assertThat(d.entry()).isInstanceOf(EventEntry.class);
    EventMatch entry = ((EventEntry) d.entry()).event();
    assertThat(entry.eventType()).isEqualTo("add_to_cart");
    assertThat(entry.where()).singleElement().extracting(PropertyPredicate::op).isEqualTo(Op.GTE);
    assertThat(d.reentry().policy()).isEqualTo(Reentry.Policy.AFTER_EXIT);
    assertThat(d.exitCriteria()).singleElement().isInstanceOf(EventExit.class);
    assertThat(d.settings().quietHours().from()).isEqualTo(LocalTime.of(21, 0));
    assertThat(d.settings().quietHours().defaultTimezone()).isEqualTo(ZoneId.of("UTC"));
    assertThat(d.settings().frequencyCap().per()).isEqualTo(Duration.ofDays(1));
    assertThat(d.start()).isEqualTo("wait-1d");
    assertThat(d.nodes()).hasSize(8);
    assertThat(((Wait) d.nodes().get(0)).duration()).isEqualTo(Duration.ofDays(1));
    WaitUntil bought = (WaitUntil) d.nodes().get(1);
    assertThat(bought.timeout()).isEqualTo(Duration.ofDays(2));
    assertThat(bought.edges()).containsExactly("done", "value");
    assertThat(((Branch) d.nodes().get(2)).edges()).containsExactly("test", "ads");
    SplitNode split = (SplitNode) d.nodes().get(3);
    assertThat(split.groups().get(2).holdout()).isTrue();
    assertThat(split.groups().get(0).percent()).isEqualByComparingTo(BigDecimal.valueOf(45));
    assertThat(split.edges()).containsExactly("send-email", "send-both");
    Send send = (Send) d.nodes().get(4);
    assertThat(send.insert()).isFalse();
    assertThat(send.holdOnFailure()).isFalse();
    assertThat(send.mapping()).hasSize(2);
    assertThat(d.eventTypes()).containsExactly("add_to_cart", "order_completed");
  }

  @Test
  void audienceEntriesReentryPoliciesAndSendOptions() {
    Problems problems = new Problems();
    ObjectNode doc = example();
    doc.putObject("entry")
        .put("type", "audience")
        .put("audience", "vips")
        .put("every", "PT15M")
        .put("enrol", "future_only");
    doc.putObject("reentry").put("policy", "cooldown").put("cooldown", "P2W");
    node(doc, 4).put("mode", "insert").put("onFailure", "wait");
    node(doc, 0).remove("duration");
    node(doc, 0)
        .putObject("until")
        .put("time", "09:30")
        .put("timezoneColumn", "country")
        .put("defaultTimezone", "Europe/Berlin");
    JourneyDefinition d = JourneyJson.read(doc, problems);
    assertThat(problems.list()).isEmpty();
    assertThat(d.entry()).isEqualTo(new AudienceEntry("vips", Duration.ofMinutes(15), true));
    assertThat(d.reentry()).isEqualTo(new Reentry(Reentry.Policy.COOLDOWN, Duration.ofDays(14)));
    Send send = (Send) d.nodes().get(4);
    assertThat(send.insert()).isTrue();
    assertThat(send.holdOnFailure()).isTrue();
    Wait wait = (Wait) d.nodes().get(0);
    assertThat(wait.duration()).isNull();
    assertThat(wait.until().time()).isEqualTo(LocalTime.of(9, 30));
    assertThat(wait.until().defaultTimezone()).isEqualTo(ZoneId.of("Europe/Berlin"));
  }

  @Test
  void durationsAreIsoWithWeeksDaysAndSeconds() {
    assertThat(JourneyJson.parseDuration("P2W")).isEqualTo(Duration.ofDays(14));
    assertThat(JourneyJson.parseDuration("P1D")).isEqualTo(Duration.ofDays(1));
    assertThat(JourneyJson.parseDuration("PT10S")).isEqualTo(Duration.ofSeconds(10));
    assertThat(JourneyJson.parseDuration("P1DT2H")).isEqualTo(Duration.ofHours(26));
    assertThat(JourneyJson.parseDuration("P1M")).isNull();
    assertThat(JourneyJson.parseDuration("1 day")).isNull();
  }

  @Test
  void draftsMayLackEdgesStartAndEntry() {
    assertThat(
            problems(
                d -> {
                  d.remove("start");
                  d.remove("entry");
                  node(d, 0).remove("next");
                }))
        .isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          unknown top-level field          | $.colour
          missing key                      | $.key
          bad key                          | $.key
          missing name                     | $.name
          unknown node field               | $.nodes[0].colour
          bad node id                      | $.nodes[2].id
          unknown node type                | $.nodes[2].type
          wait without duration or until   | $.nodes[0]
          negative duration                | $.nodes[0].duration
          month duration                   | $.nodes[0].duration
          zero timeout                     | $.nodes[1].timeout
          wait_until with event and condition | $.nodes[1]
          wait_until without timeout       | $.nodes[1].timeout
          unknown event op                 | $.entry.where[0].op
          string value for gte             | $.entry.where[0].value
          value for is_null                | $.entry.where[0].value
          bad condition in branch          | $.nodes[2].branches[0].condition.type
          branch without arms              | $.nodes[2].branches
          percent over 100                 | $.nodes[3].groups[0].percent
          split without salt               | $.nodes[3].salt
          bad mode                         | $.nodes[4].mode
          bad onFailure                    | $.nodes[4].onFailure
          identifier missing               | $.nodes[4].identifier
          mapping target twice             | $.nodes[4].mapping[1].to
          bad quiet time                   | $.settings.quietHours.from
          bad zone                         | $.settings.quietHours.defaultTimezone
          cap max zero                     | $.settings.frequencyCap.max
          audience every under a minute    | $.entry.every
          bad enrol                        | $.entry.enrol
          unknown entry type               | $.entry.type
          cooldown policy without cooldown | $.reentry.cooldown
          cooldown on another policy       | $.reentry.cooldown
          unknown policy                   | $.reentry.policy
          exit criterion with both         | $.exitCriteria[0]
          bad exit condition               | $.exitCriteria[0].condition.op
          bad until time                   | $.nodes[0].until.time
          infinite percent                 | $.nodes[3].groups[0].percent
          infinite event value             | $.entry.where[0].value
          a wait of a century              | $.nodes[0].duration
          """)
  void eachMalformedPartIsRefusedAtItsPath(String what, String path) {
    assertThat(paths(MUTATIONS.get(what))).as(what).contains(path);
  }

  static final java.util.Map<String, Consumer<ObjectNode>> MUTATIONS =
      java.util.Map.ofEntries(
          java.util.Map.entry("unknown top-level field", d -> d.put("colour", "red")),
          java.util.Map.entry("missing key", d -> d.remove("key")),
          java.util.Map.entry("bad key", d -> d.put("key", "Bad Key!")),
          java.util.Map.entry("missing name", d -> d.remove("name")),
          java.util.Map.entry("unknown node field", d -> node(d, 0).put("colour", "red")),
          java.util.Map.entry("bad node id", d -> node(d, 2).put("id", "Value_Node")),
          java.util.Map.entry("unknown node type", d -> node(d, 2).put("type", "loop")),
          java.util.Map.entry("wait without duration or until", d -> node(d, 0).remove("duration")),
          java.util.Map.entry("negative duration", d -> node(d, 0).put("duration", "-PT5M")),
          java.util.Map.entry("month duration", d -> node(d, 0).put("duration", "P1M")),
          java.util.Map.entry("zero timeout", d -> node(d, 1).put("timeout", "PT0S")),
          java.util.Map.entry(
              "wait_until with event and condition",
              d ->
                  node(d, 1)
                      .set(
                          "condition",
                          AudienceJson.parse(
                              "{\"type\": \"property\", \"column\": \"vip\", \"op\": \"is_true\"}"))),
          java.util.Map.entry("wait_until without timeout", d -> node(d, 1).remove("timeout")),
          java.util.Map.entry(
              "unknown event op",
              d -> ((ObjectNode) d.get("entry").get("where").get(0)).put("op", "greater")),
          java.util.Map.entry(
              "string value for gte",
              d -> ((ObjectNode) d.get("entry").get("where").get(0)).put("value", "lots")),
          java.util.Map.entry(
              "value for is_null",
              d -> ((ObjectNode) d.get("entry").get("where").get(0)).put("op", "is_null")),
          java.util.Map.entry(
              "bad condition in branch",
              d ->
                  ((ObjectNode) node(d, 2).get("branches").get(0).get("condition"))
                      .put("type", "magic")),
          java.util.Map.entry("branch without arms", d -> node(d, 2).putArray("branches")),
          java.util.Map.entry(
              "percent over 100",
              d -> ((ObjectNode) node(d, 3).get("groups").get(0)).put("percent", 145)),
          java.util.Map.entry("split without salt", d -> node(d, 3).remove("salt")),
          java.util.Map.entry("bad mode", d -> node(d, 4).put("mode", "mirror")),
          java.util.Map.entry("bad onFailure", d -> node(d, 4).put("onFailure", "retry")),
          java.util.Map.entry("identifier missing", d -> node(d, 4).remove("identifier")),
          java.util.Map.entry(
              "mapping target twice",
              d -> ((ObjectNode) node(d, 4).get("mapping").get(1)).put("to", "country")),
          java.util.Map.entry(
              "bad quiet time",
              d -> ((ObjectNode) d.get("settings").get("quietHours")).put("from", "9pm")),
          java.util.Map.entry(
              "bad zone",
              d ->
                  ((ObjectNode) d.get("settings").get("quietHours"))
                      .put("defaultTimezone", "Mars/Olympus")),
          java.util.Map.entry(
              "cap max zero",
              d -> ((ObjectNode) d.get("settings").get("frequencyCap")).put("max", 0)),
          java.util.Map.entry(
              "audience every under a minute",
              d ->
                  d.putObject("entry")
                      .put("type", "audience")
                      .put("audience", "vips")
                      .put("every", "PT30S")),
          java.util.Map.entry(
              "bad enrol",
              d ->
                  d.putObject("entry")
                      .put("type", "audience")
                      .put("audience", "vips")
                      .put("every", "PT5M")
                      .put("enrol", "everyone")),
          java.util.Map.entry(
              "unknown entry type", d -> ((ObjectNode) d.get("entry")).put("type", "webhook")),
          java.util.Map.entry(
              "cooldown policy without cooldown",
              d -> d.putObject("reentry").put("policy", "cooldown")),
          java.util.Map.entry(
              "cooldown on another policy",
              d -> d.putObject("reentry").put("policy", "never").put("cooldown", "P1D")),
          java.util.Map.entry(
              "unknown policy", d -> d.putObject("reentry").put("policy", "sometimes")),
          java.util.Map.entry(
              "exit criterion with both",
              d ->
                  ((ObjectNode) d.get("exitCriteria").get(0))
                      .set(
                          "condition",
                          AudienceJson.parse(
                              "{\"type\": \"property\", \"column\": \"vip\", \"op\": \"is_true\"}"))),
          java.util.Map.entry(
              "bad exit condition",
              d -> {
                ArrayNode exits = d.putArray("exitCriteria");
                exits
                    .addObject()
                    .set(
                        "condition",
                        AudienceJson.parse(
                            "{\"type\": \"property\", \"column\": \"vip\", \"op\": \"huge\"}"));
              }),
          java.util.Map.entry(
              "infinite percent",
              d ->
                  ((ObjectNode) node(d, 3).get("groups").get(0))
                      .set("percent", AudienceJson.parse("1e400"))),
          java.util.Map.entry(
              "infinite event value",
              d ->
                  ((ObjectNode) d.get("entry").get("where").get(0))
                      .set("value", AudienceJson.parse("-1e400"))),
          java.util.Map.entry("a wait of a century", d -> node(d, 0).put("duration", "P5300W")),
          java.util.Map.entry(
              "bad until time",
              d -> {
                node(d, 0).remove("duration");
                node(d, 0).putObject("until").put("time", "25:00");
              }));

  @Test
  void aDocumentThatIsNotAnObjectIsOneProblem() {
    assertThat(problems(AudienceJson.parse("[1, 2]")))
        .singleElement()
        .extracting(Problem::path)
        .isEqualTo("$");
  }

  // ---------------------------------------------------------------- events

  static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

  static boolean matches(String op, String value, String properties) {
    String predicate =
        "{\"property\": \"p\", \"op\": \""
            + op
            + "\""
            + (value == null ? "" : ", \"value\": " + value)
            + "}";
    Problems problems = new Problems();
    ObjectNode doc = example();
    ((ArrayNode) doc.get("entry").get("where")).removeAll().add(AudienceJson.parse(predicate));
    JourneyDefinition d = JourneyJson.read(doc, problems);
    assertThat(problems.list()).as(predicate).isEmpty();
    return JourneyJson.eventMatches(
        ((EventEntry) d.entry()).event(), AudienceJson.parse(properties), NOW);
  }

  @ParameterizedTest(name = "{0} {1} on {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          eq              | 35.5                   | {"p": 35.50}                          | true
          eq              | 35                     | {"p": "35"}                           | true
          eq              | "DE"                   | {"p": "DE"}                           | true
          eq              | "DE"                   | {"p": "de"}                           | false
          eq              | "DE"                   | {}                                    | false
          neq             | "DE"                   | {}                                    | true
          neq             | "DE"                   | {"p": null}                           | true
          neq             | "DE"                   | {"p": "FR"}                           | true
          neq             | "DE"                   | {"p": "DE"}                           | false
          in              | ["DE", "FR"]           | {"p": "FR"}                           | true
          not_in          | ["DE", "FR"]           | {}                                    | true
          not_in          | ["DE", "FR"]           | {"p": "FR"}                           | false
          gt              | 20                     | {"p": 20.5}                           | true
          gt              | 20                     | {"p": 20}                             | false
          gte             | 20                     | {"p": 20}                             | true
          gte             | 20                     | {"p": "abc"}                          | false
          lt              | 20                     | {}                                    | false
          lte             | "2026-01-01T00:00:00Z" | {"p": "2025-12-31T23:00:00-01:00"}    | true
          between         | [1, 3]                 | {"p": 3}                              | true
          between         | [1, 3]                 | {"p": 4}                              | false
          contains        | "Cart"                 | {"p": "my-CART-page"}                 | true
          not_contains    | "cart"                 | {}                                    | true
          not_contains    | "cart"                 | {"p": "cart"}                         | false
          starts_with     | "https"                | {"p": "HTTPS://x"}                    | true
          ends_with       | ".de"                  | {"p": "shop.com"}                     | false
          is_null         |                        | {}                                    | true
          is_null         |                        | {"p": 1}                              | false
          is_not_null     |                        | {"p": 0}                              | true
          is_true         |                        | {"p": true}                           | true
          is_false        |                        | {"p": true}                           | false
          within_last     | {"amount": 2, "unit": "day"} | {"p": "2026-11-30T12:00:00Z"}   | true
          within_last     | {"amount": 2, "unit": "day"} | {"p": "2026-11-29T11:59:59Z"}   | false
          within_last     | {"amount": 2, "unit": "day"} | {}                              | false
          not_within_last | {"amount": 2, "unit": "day"} | {}                              | true
          not_within_last | {"amount": 2, "unit": "day"} | {"p": "2026-11-30T12:00:00Z"}   | false
          before          | "2026-01-01"           | {"p": "2025-12-31T23:59:59Z"}         | true
          after           | "2026-01-01"           | {"p": "2025-12-31T23:59:59Z"}         | false
          after           | "2026-01-01"           | {}                                    | false
          """)
  void eventPredicatesFollowTheAudienceOperatorsAndNullRule(
      String op, String value, String properties, boolean expected) {
    assertThat(matches(op, value, properties)).isEqualTo(expected);
  }

  @Test
  void everyNegativeOperatorIsTheComplementOfItsPositiveOnAPresentValue() {
    String[][] pairs = {
      {"eq", "neq", "\"a\""},
      {"in", "not_in", "[\"a\", 2]"},
      {"contains", "not_contains", "\"A\""},
      {"within_last", "not_within_last", "{\"amount\": 1, \"unit\": \"week\"}"}
    };
    String[] values = {"\"a\"", "\"xa\"", "2", "2.0", "true", "\"2026-11-28T00:00:00Z\"", "[1]"};
    for (String[] pair : pairs) {
      for (String v : values) {
        String props = "{\"p\": " + v + "}";
        assertThat(matches(pair[1], pair[2], props))
            .as(pair[1] + " on " + v)
            .isEqualTo(!matches(pair[0], pair[2], props));
      }
    }
  }

  @Test
  void referencesAreFoundInTheRawDocument() {
    ObjectNode doc = example();
    assertThat(JourneyJson.destinations(doc)).containsExactly("esp-hook", "ads-hook");
    ((ObjectNode) node(doc, 2).get("branches").get(0))
        .set(
            "condition",
            AudienceJson.parse(
                "{\"type\": \"audience\", \"audience\": \"vips\", \"op\": \"member\"}"));
    doc.putObject("entry").put("type", "audience").put("audience", "newsletter");
    assertThat(JourneyJson.audiences(doc)).containsExactly("newsletter", "vips");
  }
}
