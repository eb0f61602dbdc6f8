package io.customerstudio.query.journey;

import static io.customerstudio.query.journey.JourneyJsonTest.example;
import static io.customerstudio.query.journey.JourneyJsonTest.node;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.query.Problem;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.testing.ShopFixture;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What publish refuses, each at its path: the graph rules and the workspace (catalog of the test
 * shop, two destinations, saved audiences over users and over another parent).
 */
class JourneyValidatorTest {

  static final Map<String, AudienceDefinition> AUDIENCES =
      Map.of(
          "germans",
          new AudienceDefinition(
              "users",
              AudienceJson.readCondition(
                  AudienceJson.parse(
                      "{\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\", \"value\": \"DE\"}"),
                  "$.filter",
                  new Problems())),
          "big-accounts",
          new AudienceDefinition("accounts", null));

  final Catalog catalog = ShopFixture.small().catalog;

  Optional<Set<String>> eventTypes = Optional.empty();

  final JourneyValidator.Context ctx =
      new JourneyValidator.Context() {
        @Override
        public Catalog catalog() {
          return catalog;
        }

        @Override
        public AudienceCompiler.Resolver resolver() {
          return new AudienceCompiler.Resolver() {
            @Override
            public Optional<AudienceDefinition> audience(String key) {
              return Optional.ofNullable(AUDIENCES.get(key));
            }

            @Override
            public Optional<AudienceCompiler.TemplateBody> template(String key) {
              return Optional.empty();
            }
          };
        }

        @Override
        public Collection<String> destinations() {
          return List.of("esp-hook", "ads-hook");
        }

        @Override
        public Optional<Set<String>> eventTypes() {
          return eventTypes;
        }

        @Override
        public Instant now() {
          return ShopFixture.AS_OF;
        }
      };

  List<Problem> problems(Consumer<ObjectNode> change) {
    ObjectNode doc = example();
    change.accept(doc);
    Problems problems = new Problems();
    JourneyDefinition d = JourneyJson.read(doc, problems);
    assertThat(problems.list()).as("read problems").isEmpty();
    JourneyValidator.validate(d, doc, ctx, problems);
    return problems.list();
  }

  List<String> paths(Consumer<ObjectNode> change) {
    return problems(change).stream().map(Problem::path).toList();
  }

  @Test
  void theSpecExampleIsValid() {
    assertThat(problems(d -> {})).isEmpty();
  }

  @Test
  void startMissingOrUnknown() {
    assertThat(paths(d -> d.remove("start"))).containsExactly("$.start");
    assertThat(problems(d -> d.put("start", "wait-2d")))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("$.start");
              assertThat(p.message()).contains("did you mean \"wait-1d\"");
            });
  }

  @Test
  void danglingAndMissingEdgesAreNamedAtTheirField() {
    assertThat(paths(d -> node(d, 6).put("next", "nowhere"))).containsExactly("$.nodes[6].next");
    assertThat(paths(d -> node(d, 1).remove("timeoutNext"))).contains("$.nodes[1].timeoutNext");
    assertThat(paths(d -> node(d, 2).remove("else"))).contains("$.nodes[2].else");
    assertThat(paths(d -> ((ObjectNode) node(d, 2).get("branches").get(0)).put("next", "x")))
        .contains("$.nodes[2].branches[0].next");
  }

  @Test
  void aNonExitNodeWithNoWayOut() {
    List<Problem> found = problems(d -> node(d, 6).remove("next"));
    assertThat(found).extracting(Problem::path).contains("$.nodes[6].next");
    assertThat(found.get(0).message()).contains("leads somewhere");
  }

  @Test
  void unreachableNodes() {
    assertThat(
            paths(
                d ->
                    ((ArrayNode) d.get("nodes"))
                        .add(AudienceJson.parse("{\"id\": \"orphan\", \"type\": \"exit\"}"))))
        .containsExactly("$.nodes[8]");
  }

  @Test
  void duplicateNodeIds() {
    assertThat(paths(d -> node(d, 7).put("id", "ads"))).contains("$.nodes[7].id");
  }

  @Test
  void aCycleWithoutAWaitIsNamedAtOneOfItsNodes() {
    // send-email → send-both → send-email: no wait on it
    List<Problem> found = problems(d -> node(d, 4).put("next", "send-both"));
    assertThat(found).hasSize(1);
    assertThat(found.get(0).path()).isIn("$.nodes[4]", "$.nodes[5]");
    assertThat(found.get(0).message())
        .contains("cycle")
        .contains("send-email")
        .contains("send-both");
  }

  @Test
  void aCycleThroughAWaitIsFine() {
    // ads → wait-1d → bought → value → ads: wait-1d and bought wait
    assertThat(problems(d -> node(d, 6).put("next", "wait-1d"))).isEmpty();
  }

  @Test
  void splitRules() {
    assertThat(paths(d -> ((ObjectNode) node(d, 3).get("groups").get(0)).put("percent", 40)))
        .containsExactly("$.nodes[3].groups");
    assertThat(paths(d -> ((ObjectNode) node(d, 3).get("groups").get(1)).put("name", "email")))
        .containsExactly("$.nodes[3].groups[1].name");
    assertThat(paths(d -> ((ObjectNode) node(d, 3).get("groups").get(2)).put("next", "done")))
        .containsExactly("$.nodes[3].groups[2].next");
    assertThat(paths(d -> ((ObjectNode) node(d, 3).get("groups").get(0)).remove("next")))
        .contains("$.nodes[3].groups[0].next");
  }

  @Test
  void unknownDestination() {
    List<Problem> found = problems(d -> node(d, 6).put("destination", "ads-hok"));
    assertThat(found).extracting(Problem::path).containsExactly("$.nodes[6].destination");
    assertThat(found.get(0).message()).contains("did you mean \"ads-hook\"");
  }

  @Test
  void unknownParentModel() {
    assertThat(paths(d -> d.put("parent", "usrs"))).containsExactly("$.parent");
    assertThat(paths(d -> d.put("parent", "purchases"))).containsExactly("$.parent");
  }

  @Test
  void audienceEntries() {
    assertThat(
            paths(
                d ->
                    d.putObject("entry")
                        .put("type", "audience")
                        .put("audience", "germans")
                        .put("every", "PT5M")))
        .as("event.properties mapping needs an event entry")
        .containsExactly("$.nodes[4].mapping[1].from");
    Consumer<ObjectNode> noEventMapping = d -> ((ArrayNode) node(d, 4).get("mapping")).remove(1);
    assertThat(
            paths(
                noEventMapping.andThen(
                    d ->
                        d.putObject("entry")
                            .put("type", "audience")
                            .put("audience", "germans")
                            .put("every", "PT5M"))))
        .isEmpty();
    assertThat(
            paths(
                noEventMapping.andThen(
                    d ->
                        d.putObject("entry")
                            .put("type", "audience")
                            .put("audience", "nobody")
                            .put("every", "PT5M"))))
        .containsExactly("$.entry.audience");
    List<Problem> other =
        problems(
            noEventMapping.andThen(
                d ->
                    d.putObject("entry")
                        .put("type", "audience")
                        .put("audience", "big-accounts")
                        .put("every", "PT5M")));
    assertThat(other).extracting(Problem::path).containsExactly("$.entry.audience");
    assertThat(other.get(0).message()).contains("accounts");
  }

  @Test
  void unknownTraitsColumnsAndAudiencesInConditions() {
    assertThat(
            paths(
                d ->
                    ((ObjectNode) node(d, 2).get("branches").get(0).get("condition"))
                        .put("trait", "lifetime_value")))
        .containsExactly("$.nodes[2].branches[0].condition.trait");
    assertThat(
            paths(
                d -> {
                  node(d, 1).remove("event");
                  node(d, 1)
                      .set(
                          "condition",
                          AudienceJson.parse(
                              "{\"type\": \"property\", \"column\": \"vipp\", \"op\": \"is_true\"}"));
                }))
        .containsExactly("$.nodes[1].condition.column");
    assertThat(
            paths(
                d ->
                    ((ArrayNode) d.get("exitCriteria"))
                        .addObject()
                        .set(
                            "condition",
                            AudienceJson.parse(
                                "{\"type\": \"audience\", \"audience\": \"nobody\", \"op\": \"member\"}"))))
        .containsExactly("$.exitCriteria[1].condition.audience");
    assertThat(
            paths(
                d ->
                    ((ObjectNode) node(d, 2).get("branches").get(0).get("condition"))
                        .put("value", "lots")))
        .as("a value of the wrong type for the trait")
        .containsExactly("$.nodes[2].branches[0].condition.value");
  }

  @Test
  void unknownTimezoneColumns() {
    assertThat(
            paths(
                d ->
                    ((ObjectNode) d.get("settings").get("quietHours"))
                        .put("timezoneColumn", "timezone")))
        .containsExactly("$.settings.quietHours.timezoneColumn");
    assertThat(
            paths(
                d ->
                    ((ObjectNode) d.get("settings").get("quietHours"))
                        .put("timezoneColumn", "age")))
        .as("not a string column")
        .containsExactly("$.settings.quietHours.timezoneColumn");
    assertThat(
            paths(
                d -> {
                  node(d, 0).remove("duration");
                  node(d, 0).putObject("until").put("time", "09:00").put("timezoneColumn", "tz");
                }))
        .containsExactly("$.nodes[0].until.timezoneColumn");
  }

  @Test
  void mappingSourcesMustExist() {
    List<Problem> found =
        problems(d -> ((ObjectNode) node(d, 4).get("mapping").get(0)).put("from", "emial"));
    assertThat(found).extracting(Problem::path).containsExactly("$.nodes[4].mapping[0].from");
    assertThat(found.get(0).message()).contains("did you mean \"email\"");
    assertThat(paths(d -> ((ObjectNode) node(d, 6).get("identifier")).put("from", "ltv")))
        .as("a trait is a source")
        .isEmpty();
    assertThat(paths(d -> ((ObjectNode) node(d, 6).get("identifier")).put("from", "nope")))
        .containsExactly("$.nodes[6].identifier.from");
  }

  @Test
  void eventTypesAreCheckedWhenTheWorkspaceDeclaresThem() {
    eventTypes = Optional.of(Set.of("add_to_cart", "order_completed"));
    assertThat(problems(d -> {})).isEmpty();
    assertThat(paths(d -> ((ObjectNode) d.get("entry")).put("eventType", "add_to_crt")))
        .containsExactly("$.entry.eventType");
    assertThat(paths(d -> ((ObjectNode) node(d, 1).get("event")).put("eventType", "refund")))
        .containsExactly("$.nodes[1].event.eventType");
    assertThat(
            paths(
                d ->
                    ((ObjectNode) d.get("exitCriteria").get(0).get("event"))
                        .put("eventType", "refund")))
        .containsExactly("$.exitCriteria[0].event.eventType");
  }

  @Test
  void emptyJourneysAreRefused() {
    assertThat(
            paths(
                d -> {
                  d.putArray("nodes");
                  d.remove("start");
                }))
        .contains("$.nodes", "$.start");
    assertThat(paths(d -> d.remove("entry")))
        .containsExactly("$.entry", "$.nodes[4].mapping[1].from");
  }
}
