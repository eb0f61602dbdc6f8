package io.customerstudio.app.journeys.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.journeys.JourneyDefinitions.Position;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The canvas's view of a journey document: ports and edges for every node type of the spec, edits
 * that change only the fields they name (so a document round-trips unchanged), problem paths mapped
 * to their nodes and fields, durations read and written as amounts of a unit, and readable diffs.
 */
class JourneyGraphTest {

  static final ObjectMapper JSON = new ObjectMapper();

  /** The spec's abandoned-cart example (section 1 of journey-definition.md). */
  static ObjectNode spec() throws Exception {
    return (ObjectNode)
        JSON.readTree(JourneyGraphTest.class.getResourceAsStream("/journeys/abandoned-cart.json"));
  }

  @Test
  void everyEdgeOfTheSpecIsAPortAndAnEdge() throws Exception {
    ObjectNode doc = spec();
    JsonNode g =
        JSON.readTree(
            JourneyGraph.render(
                doc, Map.of(), JourneyGraph.Mode.DESIGN, null, Map.of(), JourneyGraph.Counts.NONE));
    assertThat(g.path("nodes")).hasSize(9); // entry + 8 nodes
    assertThat(g.path("edges"))
        .extracting(
            e ->
                e.path("source").asText()
                    + ":"
                    + e.path("handle").asText()
                    + ">"
                    + e.path("target").asText())
        .containsExactlyInAnyOrder(
            "__entry:start>wait-1d",
            "wait-1d:next>bought",
            "bought:next>done",
            "bought:timeoutNext>value",
            "value:branch-0>test",
            "value:else>ads",
            "test:group-0>send-email",
            "test:group-1>send-both",
            "send-email:next>done",
            "send-both:next>send-email",
            "ads:next>done");
    // the holdout group has no port: its people leave the journey
    assertThat(JourneyGraph.ports(doc, "test"))
        .extracting(JourneyGraph.Port::id)
        .containsExactly("group-0", "group-1");
    assertThat(JourneyGraph.ports(doc, "done")).isEmpty();
    JsonNode value = node(g, "value");
    assertThat(value.path("lines").get(0).asText()).startsWith("high value: ");
    assertThat(node(g, "wait-1d").path("lines").get(0).asText()).isEqualTo("for 1 day");
    assertThat(node(g, "bought").path("lines").get(1).asText()).isEqualTo("timeout after 2 days");
  }

  @Test
  void editsChangeOnlyTheFieldsTheyNameAndUndoingThemRoundTrips() throws Exception {
    ObjectNode doc = spec();
    String original = doc.toString();
    assertThat(JourneyGraph.connect(doc, "bought", "timeoutNext", "ads")).isTrue();
    assertThat(doc.at("/nodes/1/timeoutNext").asText()).isEqualTo("ads");
    assertThat(JourneyGraph.connect(doc, "bought", "timeoutNext", "value")).isTrue();
    assertThat(doc.toString()).isEqualTo(original);
    // no edge into the entry, to itself, or to a node that does not exist
    assertThat(JourneyGraph.connect(doc, "bought", "next", "__entry")).isFalse();
    assertThat(JourneyGraph.connect(doc, "bought", "next", "bought")).isFalse();
    assertThat(JourneyGraph.connect(doc, "bought", "next", "nowhere")).isFalse();
    assertThat(JourneyGraph.connect(doc, "value", "branch-0", "ads")).isTrue();
    assertThat(doc.at("/nodes/2/branches/0/next").asText()).isEqualTo("ads");
    assertThat(JourneyGraph.disconnect(doc, "value", "else")).isTrue();
    assertThat(doc.at("/nodes/2").has("else")).isFalse();
  }

  @Test
  void deletingANodeRemovesTheEdgesIntoIt() throws Exception {
    ObjectNode doc = spec();
    assertThat(JourneyGraph.delete(doc, Set.of("send-email"))).isTrue();
    assertThat(JourneyGraph.node(doc, "send-email")).isNull();
    assertThat(JourneyGraph.node(doc, "test").at("/groups/0").has("next")).isFalse();
    assertThat(JourneyGraph.node(doc, "send-both").has("next")).isFalse();
    assertThat(JourneyGraph.node(doc, "ads").path("next").asText()).isEqualTo("done");
    assertThat(JourneyGraph.delete(doc, Set.of("nothing"))).isFalse();
  }

  @Test
  void addedNodesGetFreshIdsAndTheFieldsTheirTypeNeeds() throws Exception {
    ObjectNode doc = spec();
    ObjectNode w = JourneyGraph.add(doc, "wait", null);
    assertThat(w.path("id").asText()).isEqualTo("wait");
    assertThat(JourneyGraph.add(doc, "wait", null).path("id").asText()).isEqualTo("wait-2");
    ObjectNode until = JourneyGraph.add(doc, "wait_until", null);
    assertThat(until.path("id").asText()).isEqualTo("wait-until");
    assertThat(until.path("timeout").asText()).isEqualTo("P2D");
    ObjectNode send = JourneyGraph.add(doc, "send", "esp-hook");
    assertThat(send.path("destination").asText()).isEqualTo("esp-hook");
    ObjectNode split = JourneyGraph.add(doc, "split", null);
    assertThat(split.path("groups")).hasSize(2);
    // an empty document's first node becomes its start
    ObjectNode empty = JSON.createObjectNode();
    JourneyGraph.add(empty, "exit", null);
    assertThat(empty.path("start").asText()).isEqualTo("exit");
  }

  @Test
  void problemsGoToTheNodeAndFieldTheirPathNames() throws Exception {
    ObjectNode doc = spec();
    assertThat(JourneyGraph.nodeOf(doc, "$.nodes[3].groups[1].percent")).isEqualTo("test");
    assertThat(JourneyGraph.fieldOf("$.nodes[3].groups[1].percent")).isEqualTo("groups[1].percent");
    assertThat(JourneyGraph.nodeOf(doc, "$.entry.eventType")).isEqualTo(JourneyGraph.ENTRY);
    assertThat(JourneyGraph.fieldOf("$.entry.eventType")).isEqualTo("entry.eventType");
    assertThat(JourneyGraph.nodeOf(doc, "$.nodes[99].next")).isEqualTo(JourneyGraph.ENTRY);
    JsonNode g =
        JSON.readTree(
            JourneyGraph.render(
                doc,
                Map.of("done", new Position(10, 20)),
                JourneyGraph.Mode.LIVE,
                "done",
                Map.of("test", List.of("percentages sum to 95, not 100")),
                new JourneyGraph.Counts(
                    Map.of("done", new long[] {0, 7}), Map.of("bought:done", 3L))));
    assertThat(node(g, "test").path("problems").get(0).asText()).contains("95");
    assertThat(node(g, "done").path("x").asDouble()).isEqualTo(10);
    assertThat(node(g, "wait-1d").path("x").isNull()).isTrue();
    assertThat(node(g, "done").at("/stats/entered").asLong()).isEqualTo(7);
    assertThat(g.path("selected").asText()).isEqualTo("done");
    for (JsonNode e : g.path("edges")) {
      long expected =
          e.path("source").asText().equals("bought") && e.path("target").asText().equals("done")
              ? 3
              : 0;
      assertThat(e.path("count").asLong()).as(e.toString()).isEqualTo(expected);
    }
  }

  @Test
  void durationsReadAsAmountsOfTheLargestWholeUnit() {
    assertThat(Durations.parse("P1D")).isEqualTo(new Durations.Amount(1, Durations.Unit.DAYS));
    assertThat(Durations.parse("P1DT2H")).isEqualTo(new Durations.Amount(26, Durations.Unit.HOURS));
    assertThat(Durations.parse("P2W")).isEqualTo(new Durations.Amount(2, Durations.Unit.WEEKS));
    assertThat(Durations.parse("P14D")).isEqualTo(new Durations.Amount(2, Durations.Unit.WEEKS));
    assertThat(Durations.parse("PT10S"))
        .isEqualTo(new Durations.Amount(10, Durations.Unit.SECONDS));
    assertThat(Durations.parse("soon")).isNull();
    assertThat(Durations.parse("PT0S")).isNull();
    assertThat(Durations.human("PT90M")).isEqualTo("90 minutes");
    assertThat(Durations.human("PT1H")).isEqualTo("1 hour");
    assertThat(Durations.Unit.HOURS.iso(26)).isEqualTo("PT26H");
    assertThat(Durations.Unit.WEEKS.iso(2)).isEqualTo("P2W");
  }

  @Test
  void diffsReadAsSentences() throws Exception {
    ObjectNode before = spec();
    ObjectNode after = spec();
    ((ObjectNode) JourneyGraph.node(after, "wait-1d")).put("duration", "P2D");
    JourneyGraph.delete(after, Set.of("ads"));
    JourneyGraph.add(after, "exit", null);
    assertThat(JourneyDiff.between(before, after))
        .contains(
            "wait-1d.duration: P1D → P2D",
            "Added exit node exit",
            "Removed send node ads",
            "value.else: ads → (none)");
    assertThat(JourneyDiff.between(before, spec())).containsExactly("No changes");
    assertThat(JourneyDiff.between(null, before)).containsExactly("First version: 8 nodes");
  }

  private static JsonNode node(JsonNode graph, String id) {
    for (JsonNode n : graph.path("nodes")) {
      if (n.path("id").asText().equals(id)) {
        return n;
      }
    }
    throw new AssertionError("no node " + id);
  }
}
