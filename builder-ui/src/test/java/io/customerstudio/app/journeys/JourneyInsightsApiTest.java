package io.customerstudio.app.journeys;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.infra.warehouse.Warehouse;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The journeys' read side through the API, over rows this test writes into the engine's tables as
 * the engine would (entries, steps, counters, sends, the holdout log): every field, the node order
 * of summed stats, paging, 404s and 400s with paths, and a restricted marketer seeing only her
 * people.
 */
class JourneyInsightsApiTest extends AppTestSupport {

  static final String KEY = "jv-cart";
  static final OffsetDateTime T0 = OffsetDateTime.parse("2026-12-01T10:00:00Z");

  static final String V1 =
      """
      {"key": "jv-cart", "name": "Cart", "parent": "users",
       "entry": {"type": "event", "eventType": "add_to_cart"}, "start": "wait-1d",
       "nodes": [{"id": "wait-1d", "type": "wait", "duration": "P1D", "next": "old-node"},
                 {"id": "old-node", "type": "send", "destination": "d", "identifier":
                  {"from": "email", "to": "email"}, "mapping": [], "next": "done"},
                 {"id": "done", "type": "exit"}]}""";
  static final String V2 =
      """
      {"key": "jv-cart", "name": "Cart", "parent": "users",
       "entry": {"type": "event", "eventType": "add_to_cart"}, "start": "wait-1d",
       "nodes": [{"id": "wait-1d", "type": "wait", "duration": "P1D", "next": "test"},
                 {"id": "test", "type": "split", "salt": "s", "groups": [
                   {"name": "email", "percent": 50, "next": "send-email"},
                   {"name": "control", "percent": 50, "holdout": true}]},
                 {"id": "send-email", "type": "send", "destination": "d", "identifier":
                  {"from": "email", "to": "email"}, "mapping": [], "next": "done"},
                 {"id": "done", "type": "exit"}]}""";

  static boolean ready;

  /** German demo users (her subset) and others, as person keys in text order. */
  static List<String> de;

  static List<String> other;
  static long e1;
  static long e3;
  static long e4;

  @LocalServerPort int port;
  @Autowired DSLContext store;
  @Autowired Warehouse warehouse;
  ApiClient admin;
  ApiClient her;

  @BeforeEach
  void setUp() {
    admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    her = new ApiClient(port, "jv-de", "jv-de-password");
    if (ready) {
      return;
    }
    de = keys("country = 'DE'");
    other = keys("country is distinct from 'DE'");
    assertThat(
            admin
                .post(
                    "/api/v1/subset-categories",
                    "{\"key\": \"jv-region\", \"name\": \"Region\", \"parent\": \"users\","
                        + " \"subsets\": [{\"key\": \"de\", \"name\": \"Germany\", \"condition\":"
                        + " {\"type\": \"property\", \"column\": \"country\", \"op\": \"eq\","
                        + " \"value\": \"DE\"}}]}")
                .status())
        .isEqualTo(201);
    assertThat(
            admin
                .post(
                    "/api/v1/users",
                    "{\"username\": \"jv-de\", \"role\": \"MARKETER\", \"password\":"
                        + " \"jv-de-password\", \"subsets\": {\"jv-region\": [\"de\"]}}")
                .status())
        .isEqualTo(201);
    insertJourney();
    ready = true;
  }

  List<String> keys(String where) {
    return warehouse
        .dsl()
        .fetch("select cast(user_id as varchar) k from demo.users where " + where + " order by k")
        .getValues(0, String.class)
        .subList(0, 6);
  }

  void insertJourney() {
    store.execute(
        "insert into journey (journey_key, name, parent_model, state, draft, live_version,"
            + " unknown_people, created_by, created_at, updated_by, updated_at)"
            + " values (?, 'Cart', 'users', 'live', ?, 2, 3, 'admin', ?, 'admin', ?)",
        KEY,
        V2,
        T0,
        T0);
    store.execute(
        "insert into journey_version values (?, 1, ?, 'admin', ?), (?, 2, ?, 'admin', ?)",
        KEY,
        V1,
        T0,
        KEY,
        V2,
        T0.plusDays(1));
    // version 1: a German left through old-node and exited; another is still at old-node
    e1 = entry(1, de.get(0), T0, null, T0.plusDays(2), "exit");
    step(e1, "wait-1d", T0.plusDays(1), "P1D", "old-node");
    step(e1, "old-node", T0.plusDays(2), "sent", "done");
    entry(1, other.get(0), T0, "old-node", null, null);
    // version 2: the German again (now at send-email), one held out at test, one waiting
    e3 = entry(2, de.get(0), T0.plusDays(3), "send-email", null, null);
    step(e3, "wait-1d", T0.plusDays(4), "P1D", "test");
    step(e3, "test", T0.plusDays(4), "email", "send-email");
    e4 = entry(2, other.get(1), T0.plusDays(3), null, T0.plusDays(4), "holdout");
    step(e4, "wait-1d", T0.plusDays(4), "P1D", "test");
    step(e4, "test", T0.plusDays(4), "control", null);
    entry(2, other.get(2), T0.plusDays(5), "wait-1d", null, null);
    entry(2, other.get(4), T0.plusDays(5), "wait-1d", null, null);
    count(1, "wait-1d", "", 2);
    count(1, "wait-1d", "old-node", 2);
    count(1, "old-node", "", 2);
    count(1, "old-node", "done", 1);
    count(1, "done", "", 1);
    count(2, "wait-1d", "", 4);
    count(2, "wait-1d", "test", 2);
    count(2, "test", "", 2);
    count(2, "test", "send-email", 1);
    count(2, "test", "exit:holdout", 1);
    count(2, "send-email", "", 1);
    // the holdout log: other.get(1) held out twice (re-entries), Germans in between
    holdout(other.get(1), T0.plusDays(4), e4);
    holdout(de.get(1), T0.plusDays(5), e4);
    holdout(other.get(3), T0.plusDays(6), e4);
    holdout(de.get(2), T0.plusDays(7), e4);
    holdout(other.get(1), T0.plusDays(8), e4);
    send(e1, "old-node", 1, de.get(0), "sent", null);
    send(e3, "send-email", 2, de.get(0), "rejected", "400: bad email");
    send(e4, "send-email", 2, other.get(1), "rejected", "400: no such user");
  }

  long entry(
      int version, String person, OffsetDateTime at, String node, OffsetDateTime out, String why) {
    return store
        .fetchSingle(
            "insert into journey_entry (journey_key, version, person, entered_at, node, phase,"
                + " since, exited_at, exit_reason) values (?, ?, ?, ?, ?, ?, ?, ?, ?) returning id",
            KEY,
            version,
            person,
            at,
            node,
            node == null ? null : "wait",
            node == null ? null : at.plusHours(1),
            out,
            why)
        .get(0, Long.class);
  }

  void step(long entry, String node, OffsetDateTime at, String outcome, String next) {
    store.execute(
        "insert into journey_step (entry_id, node, at, outcome, next) values (?, ?, ?, ?, ?)",
        entry,
        node,
        at,
        outcome,
        next);
  }

  void count(int version, String node, String edge, long n) {
    store.execute("insert into journey_count values (?, ?, ?, ?, ?)", KEY, version, node, edge, n);
  }

  void holdout(String person, OffsetDateTime at, long entry) {
    store.execute(
        "insert into journey_holdout (journey_key, version, node, grp, person, entry_id, at)"
            + " values (?, 2, 'test', 'control', ?, ?, ?)",
        KEY,
        person,
        entry,
        at);
  }

  void send(long entry, String node, int version, String person, String status, String reason) {
    store.execute(
        "insert into journey_send (entry_id, node, journey_key, version, person, destination,"
            + " status, reason, created_at) values (?, ?, ?, ?, ?, 'd', ?, ?, ?)",
        entry,
        node,
        KEY,
        version,
        person,
        status,
        reason,
        T0.plusDays(entry));
  }

  static Instant at(JsonNode n) {
    return OffsetDateTime.parse(n.asText()).toInstant();
  }

  static JsonNode ok(ApiClient.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  static void problem(ApiClient.Response r, int status, String path) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.raw().headers().firstValue("Content-Type")).hasValue("application/problem+json");
    if (path != null) {
      List<String> paths = new ArrayList<>();
      r.json().path("errors").forEach(e -> paths.add(e.path("path").asText()));
      assertThat(paths).as(r.body()).contains(path);
    }
  }

  static List<String> ids(JsonNode nodes) {
    List<String> out = new ArrayList<>();
    nodes.forEach(n -> out.add(n.path("id").asText()));
    return out;
  }

  static JsonNode node(JsonNode stats, String id) {
    for (JsonNode n : stats.path("nodes")) {
      if (n.path("id").asText().equals(id)) {
        return n;
      }
    }
    throw new AssertionError("no node " + id + " in " + stats);
  }

  @Test
  void statsPerVersionAndSummedInTheDefinitionsOrder() {
    JsonNode v2 = ok(admin.get("/api/v1/journeys/" + KEY + "/stats?version=2"));
    assertThat(v2.path("version").asInt()).isEqualTo(2);
    assertThat(v2.path("state").asText()).isEqualTo("live");
    assertThat(v2.path("entered").asLong()).isEqualTo(4);
    assertThat(v2.path("unknownPeople").asLong()).isEqualTo(3);
    assertThat(ids(v2.path("nodes"))).containsExactly("wait-1d", "test", "send-email", "done");
    JsonNode wait = node(v2, "wait-1d");
    assertThat(wait.path("current").asLong()).isEqualTo(2);
    assertThat(wait.path("entered").asLong()).isEqualTo(4);
    assertThat(wait.path("left").toString()).isEqualTo("{\"test\":2}");
    assertThat(wait.has("type")).isFalse();
    JsonNode test = node(v2, "test");
    assertThat(test.path("current").asLong()).isZero();
    assertThat(test.path("entered").asLong()).isEqualTo(2);
    assertThat(test.path("left").toString()).isEqualTo("{\"exit:holdout\":1,\"send-email\":1}");
    assertThat(node(v2, "send-email").path("current").asLong()).isEqualTo(1);
    assertThat(node(v2, "done").path("entered").asLong()).isZero();
    assertThat(node(v2, "done").path("left").toString()).isEqualTo("{}");

    JsonNode v1 = ok(admin.get("/api/v1/journeys/" + KEY + "/stats?version=1"));
    assertThat(v1.path("version").asInt()).isEqualTo(1);
    assertThat(v1.path("entered").asLong()).isEqualTo(2);
    assertThat(ids(v1.path("nodes"))).containsExactly("wait-1d", "old-node", "done");
    assertThat(node(v1, "old-node").path("current").asLong()).isEqualTo(1);
    assertThat(node(v1, "done").path("entered").asLong()).isEqualTo(1);

    JsonNode all = ok(admin.get("/api/v1/journeys/" + KEY + "/stats"));
    assertThat(all.path("version").asInt()).as("the live version").isEqualTo(2);
    assertThat(all.path("entered").asLong()).isEqualTo(6);
    assertThat(ids(all.path("nodes")))
        .containsExactly("wait-1d", "test", "send-email", "done", "old-node");
    assertThat(node(all, "wait-1d").path("entered").asLong()).isEqualTo(6);
    assertThat(node(all, "wait-1d").path("left").toString())
        .isEqualTo("{\"old-node\":2,\"test\":2}");
    assertThat(node(all, "wait-1d").path("current").asLong()).isEqualTo(2);
    assertThat(node(all, "old-node").path("current").asLong()).isEqualTo(1);
    assertThat(node(all, "done").path("entered").asLong()).isEqualTo(1);

    problem(admin.get("/api/v1/journeys/" + KEY + "/stats?version=9"), 404, null);
    problem(admin.get("/api/v1/journeys/jv-none/stats"), 404, null);
    problem(admin.get("/api/v1/journeys/" + KEY + "/stats?version=x"), 400, "version");
    // counts name nobody: a restricted marketer sees them whole
    assertThat(ok(her.get("/api/v1/journeys/" + KEY + "/stats"))).isEqualTo(all);
  }

  @Test
  void peopleAtANodePagedByPersonKey() {
    JsonNode old = ok(admin.get("/api/v1/journeys/" + KEY + "/nodes/old-node/people"));
    assertThat(old).hasSize(1);
    assertThat(old.get(0).path("personKey").asText()).isEqualTo(other.get(0));
    assertThat(old.get(0).path("version").asInt()).isEqualTo(1);
    assertThat(at(old.get(0).path("since"))).isEqualTo(T0.plusHours(1).toInstant());
    assertThat(old.get(0).size()).isEqualTo(3);

    // two people wait at wait-1d: one per page, in person key order
    List<String> waiting = new ArrayList<>(List.of(other.get(2), other.get(4)));
    waiting.sort(null);
    JsonNode page1 = ok(admin.get("/api/v1/journeys/" + KEY + "/nodes/wait-1d/people?limit=1"));
    assertThat(page1).hasSize(1);
    assertThat(page1.get(0).path("personKey").asText()).isEqualTo(waiting.get(0));
    JsonNode page2 =
        ok(
            admin.get(
                "/api/v1/journeys/"
                    + KEY
                    + "/nodes/wait-1d/people?limit=1&after="
                    + waiting.get(0)));
    assertThat(page2).hasSize(1);
    assertThat(page2.get(0).path("personKey").asText()).isEqualTo(waiting.get(1));
    JsonNode page3 =
        ok(
            admin.get(
                "/api/v1/journeys/"
                    + KEY
                    + "/nodes/wait-1d/people?limit=1&after="
                    + waiting.get(1)));
    assertThat(page3).isEmpty();
    JsonNode sendEmail = ok(admin.get("/api/v1/journeys/" + KEY + "/nodes/send-email/people"));
    assertThat(sendEmail).hasSize(1);
    assertThat(sendEmail.get(0).path("personKey").asText()).isEqualTo(de.get(0));
    assertThat(sendEmail.get(0).path("version").asInt()).isEqualTo(2);
    assertThat(ok(admin.get("/api/v1/journeys/" + KEY + "/nodes/done/people"))).isEmpty();

    problem(admin.get("/api/v1/journeys/" + KEY + "/nodes/nope/people"), 404, null);
    problem(admin.get("/api/v1/journeys/jv-none/nodes/done/people"), 404, null);
    problem(admin.get("/api/v1/journeys/" + KEY + "/nodes/done/people?limit=0"), 400, "$.limit");
    problem(admin.get("/api/v1/journeys/" + KEY + "/nodes/done/people?limit=1001"), 400, "$.limit");

    // hers: the German at send-email, not the others
    assertThat(ok(her.get("/api/v1/journeys/" + KEY + "/nodes/send-email/people"))).hasSize(1);
    assertThat(ok(her.get("/api/v1/journeys/" + KEY + "/nodes/old-node/people"))).isEmpty();
    assertThat(ok(her.get("/api/v1/journeys/" + KEY + "/nodes/wait-1d/people"))).isEmpty();
  }

  @Test
  void aPersonsPathInEveryEntry() {
    JsonNode path = ok(admin.get("/api/v1/journeys/" + KEY + "/people/" + de.get(0)));
    assertThat(path).hasSize(2);
    JsonNode first = path.get(0);
    assertThat(first.path("entry").asLong()).isEqualTo(e1);
    assertThat(first.path("version").asInt()).isEqualTo(1);
    assertThat(at(first.path("enteredAt"))).isEqualTo(T0.toInstant());
    assertThat(at(first.path("exitedAt"))).isEqualTo(T0.plusDays(2).toInstant());
    assertThat(first.path("exitReason").asText()).isEqualTo("exit");
    assertThat(first.path("node").isNull()).isTrue();
    assertThat(first.path("steps")).hasSize(2);
    JsonNode s0 = first.path("steps").get(0);
    assertThat(s0.path("node").asText()).isEqualTo("wait-1d");
    assertThat(at(s0.path("at"))).isEqualTo(T0.plusDays(1).toInstant());
    assertThat(s0.path("outcome").asText()).isEqualTo("P1D");
    assertThat(s0.path("next").asText()).isEqualTo("old-node");
    assertThat(first.path("steps").get(1).path("outcome").asText()).isEqualTo("sent");
    JsonNode second = path.get(1);
    assertThat(second.path("entry").asLong()).isEqualTo(e3);
    assertThat(second.path("version").asInt()).isEqualTo(2);
    assertThat(second.path("exitedAt").isNull()).isTrue();
    assertThat(second.path("exitReason").isNull()).isTrue();
    assertThat(second.path("node").asText()).isEqualTo("send-email");
    assertThat(second.path("steps").get(1).path("outcome").asText()).isEqualTo("email");

    JsonNode held = ok(admin.get("/api/v1/journeys/" + KEY + "/people/" + other.get(1)));
    assertThat(held).hasSize(1);
    assertThat(held.get(0).path("exitReason").asText()).isEqualTo("holdout");
    JsonNode last = held.get(0).path("steps").get(1);
    assertThat(last.path("outcome").asText()).isEqualTo("control");
    assertThat(last.path("next").isNull()).isTrue();

    problem(admin.get("/api/v1/journeys/" + KEY + "/people/no-such-person"), 404, null);
    problem(admin.get("/api/v1/journeys/jv-none/people/" + de.get(0)), 404, null);
    // hers, and as if there were no path for someone outside her subsets
    assertThat(ok(her.get("/api/v1/journeys/" + KEY + "/people/" + de.get(0)))).hasSize(2);
    problem(her.get("/api/v1/journeys/" + KEY + "/people/" + other.get(1)), 404, null);
  }

  @Test
  void theHoldoutLogOldestFirstPagedByPersonAndAsCsv() {
    JsonNode all = ok(admin.get("/api/v1/journeys/" + KEY + "/holdouts"));
    List<String> people = new ArrayList<>();
    all.forEach(h -> people.add(h.path("personKey").asText()));
    assertThat(people)
        .containsExactly(other.get(1), de.get(1), other.get(3), de.get(2), other.get(1));
    JsonNode h0 = all.get(0);
    assertThat(h0.path("node").asText()).isEqualTo("test");
    assertThat(h0.path("group").asText()).isEqualTo("control");
    assertThat(h0.path("version").asInt()).isEqualTo(2);
    assertThat(at(h0.path("at"))).isEqualTo(T0.plusDays(4).toInstant());
    assertThat(h0.size()).isEqualTo(5);

    JsonNode page1 = ok(admin.get("/api/v1/journeys/" + KEY + "/holdouts?node=test&limit=2"));
    assertThat(page1).hasSize(2);
    assertThat(page1.get(1).path("personKey").asText()).isEqualTo(de.get(1));
    JsonNode page2 =
        ok(admin.get("/api/v1/journeys/" + KEY + "/holdouts?node=test&limit=2&after=" + de.get(1)));
    assertThat(page2).hasSize(2);
    assertThat(page2.get(0).path("personKey").asText()).isEqualTo(other.get(3));
    assertThat(page2.get(1).path("personKey").asText()).isEqualTo(de.get(2));
    JsonNode page3 =
        ok(admin.get("/api/v1/journeys/" + KEY + "/holdouts?node=test&limit=2&after=" + de.get(2)));
    assertThat(page3).hasSize(1);
    assertThat(at(page3.get(0).path("at"))).isEqualTo(T0.plusDays(8).toInstant());
    assertThat(ok(admin.get("/api/v1/journeys/" + KEY + "/holdouts?node=wait-1d"))).isEmpty();

    problem(admin.get("/api/v1/journeys/" + KEY + "/holdouts?node=nope"), 404, null);
    problem(admin.get("/api/v1/journeys/jv-none/holdouts"), 404, null);
    problem(admin.get("/api/v1/journeys/" + KEY + "/holdouts?after=nobody"), 400, "$.after");
    problem(admin.get("/api/v1/journeys/" + KEY + "/holdouts?limit=5000"), 400, "$.limit");
    problem(admin.get("/api/v1/journeys/" + KEY + "/holdouts?format=xml"), 400, "$.format");

    ApiClient.Response csv = admin.get("/api/v1/journeys/" + KEY + "/holdouts?format=csv");
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.raw().headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    List<String> lines = csv.body().lines().toList();
    assertThat(lines).hasSize(6);
    assertThat(lines.get(0)).isEqualTo("person_key,node,group,version,at");
    assertThat(lines.get(1))
        .isEqualTo(other.get(1) + ",test,control,2," + T0.plusDays(4).toInstant());
    problem(admin.get("/api/v1/journeys/jv-none/holdouts?format=csv"), 404, null);

    // hers: the Germans only, in JSON and in CSV
    JsonNode mine = ok(her.get("/api/v1/journeys/" + KEY + "/holdouts"));
    assertThat(mine).hasSize(2);
    assertThat(mine).allMatch(h -> de.contains(h.path("personKey").asText()));
    List<String> myCsv =
        her.get("/api/v1/journeys/" + KEY + "/holdouts?format=csv").body().lines().toList();
    assertThat(myCsv).hasSize(3);
    assertThat(myCsv.get(1)).startsWith(de.get(1) + ",");
    assertThat(myCsv.get(2)).startsWith(de.get(2) + ",");
  }

  @Test
  void sendsFilteredByNodeAndStatusAndPaged() {
    JsonNode all = ok(admin.get("/api/v1/journeys/" + KEY + "/sends"));
    assertThat(all).hasSize(3);
    JsonNode first = all.get(0);
    assertThat(first.path("entry").asLong()).isEqualTo(e1);
    assertThat(first.path("personKey").asText()).isEqualTo(de.get(0));
    assertThat(first.path("node").asText()).isEqualTo("old-node");
    assertThat(first.path("version").asInt()).isEqualTo(1);
    assertThat(first.path("destination").asText()).isEqualTo("d");
    assertThat(first.path("status").asText()).isEqualTo("sent");
    assertThat(first.path("reason").isNull()).isTrue();
    assertThat(at(first.path("createdAt"))).isEqualTo(T0.plusDays(e1).toInstant());

    JsonNode rejected = ok(admin.get("/api/v1/journeys/" + KEY + "/sends?status=rejected"));
    assertThat(rejected).hasSize(2);
    assertThat(rejected.get(0).path("entry").asLong()).isEqualTo(e3);
    assertThat(rejected.get(0).path("reason").asText()).isEqualTo("400: bad email");
    JsonNode next =
        ok(
            admin.get(
                "/api/v1/journeys/"
                    + KEY
                    + "/sends?status=rejected&node=send-email&limit=1&after="
                    + e3
                    + ":send-email"));
    assertThat(next).hasSize(1);
    assertThat(next.get(0).path("entry").asLong()).isEqualTo(e4);
    assertThat(ok(admin.get("/api/v1/journeys/" + KEY + "/sends?node=old-node"))).hasSize(1);

    problem(admin.get("/api/v1/journeys/" + KEY + "/sends?status=lost"), 400, "$.status");
    problem(admin.get("/api/v1/journeys/" + KEY + "/sends?after=x"), 400, "$.after");
    problem(admin.get("/api/v1/journeys/" + KEY + "/sends?node=nope"), 404, null);
    // hers: the German's two
    JsonNode mine = ok(her.get("/api/v1/journeys/" + KEY + "/sends"));
    assertThat(mine).hasSize(2);
    assertThat(mine).allMatch(s -> s.path("personKey").asText().equals(de.get(0)));
  }
}
