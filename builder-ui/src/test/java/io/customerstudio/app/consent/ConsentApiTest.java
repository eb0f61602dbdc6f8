package io.customerstudio.app.consent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.app.ApiClient;
import io.customerstudio.app.AppTestSupport;
import io.customerstudio.infra.warehouse.Warehouse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The consent source through the API: checked against the warehouse and the schema with paths, read
 * by everyone, changed by admins, audited, and summarized per purpose exactly as a hand-written
 * query over the demo receipts says.
 */
class ConsentApiTest extends AppTestSupport {

  static final String DEMO =
      """
      {"source": {"table": "demo.consent"},
       "subjectColumn": "data_subject_identifier", "purposeColumn": "purpose",
       "statusColumn": "status", "timestampColumn": "updated_at",
       "parentColumn": "email",
       "missing": {"default": "block", "purposes": {"Analytics": "allow"}}}""";

  @LocalServerPort int port;
  @Autowired Warehouse warehouse;
  @Autowired DSLContext appStore;

  ApiClient admin;

  @BeforeEach
  void login() {
    admin = new ApiClient(port, "admin", ADMIN_PASSWORD);
    admin.delete("/api/v1/consent");
  }

  @AfterEach
  void removeConsent() {
    admin.delete("/api/v1/consent");
  }

  @Test
  void setReadAndRemoveTheConsentSourceWithAnAuditTrail() {
    ApiClient.Response none = admin.get("/api/v1/consent");
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.raw().headers().firstValue("Content-Type"))
        .hasValue("application/problem+json");
    long audited = audits();

    ApiClient.Response put = admin.put("/api/v1/consent", DEMO);
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    assertThat(put.json().at("/missing/purposes/analytics").asText()).isEqualTo("allow");
    assertThat(put.json().at("/source/table").asText()).isEqualTo("demo.consent");

    admin.post(
        "/api/v1/users",
        "{\"username\":\"consent-marketer\",\"role\":\"MARKETER\",\"password\":\"consent-mk-pw\"}");
    ApiClient marketer = new ApiClient(port, "consent-marketer", "consent-mk-pw");
    ApiClient.Response read = marketer.get("/api/v1/consent");
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.json()).isEqualTo(put.json());
    assertThat(marketer.put("/api/v1/consent", DEMO).status()).isEqualTo(403);
    assertThat(marketer.delete("/api/v1/consent").status()).isEqualTo(403);
    assertThat(marketer.get("/api/v1/consent/purposes").status()).isEqualTo(200);

    // what GET shows, PUT takes back
    assertThat(admin.put("/api/v1/consent", read.body()).status()).isEqualTo(200);
    assertThat(admin.delete("/api/v1/consent").status()).isEqualTo(204);
    assertThat(admin.get("/api/v1/consent").status()).isEqualTo(404);
    assertThat(admin.delete("/api/v1/consent").status()).isEqualTo(404);

    assertThat(audits() - audited).isEqualTo(3);
    List<String> actions =
        appStore
            .fetch(
                "select action from audit_log where entity = 'consent' and entity_key = 'consent'"
                    + " order by id desc limit 3")
            .getValues(0, String.class);
    assertThat(actions).containsExactly("delete", "update", "create");
  }

  @Test
  void problemsNameTheirPathsAgainstTheWarehouseAndTheSchema() {
    ApiClient.Response table =
        admin.put(
            "/api/v1/consent",
            DEMO.replace("demo.consent", "demo.consnt")
                .replace("\"purpose\",", "\"purpos\",")
                .replace("updated_at", "purpose")
                .replace("\"email\"", "\"e_mail\""));
    assertThat(table.status()).isEqualTo(400);
    Map<String, String> errors = errors(table);
    assertThat(errors.keySet()).containsExactlyInAnyOrder("$.source.table", "$.parentColumn");
    assertThat(errors.get("$.source.table")).contains("did you mean \"demo.consent\"");

    ApiClient.Response columns =
        admin.put(
            "/api/v1/consent",
            DEMO.replace("\"purpose\",", "\"purpos\",")
                .replace("updated_at", "collection_point")
                .replace("\"parentColumn\"", "\"parent\": \"purchases\", \"parentColumn\""));
    assertThat(columns.status()).isEqualTo(400);
    errors = errors(columns);
    assertThat(errors.keySet())
        .containsExactlyInAnyOrder("$.purposeColumn", "$.timestampColumn", "$.parent");
    assertThat(errors.get("$.purposeColumn")).contains("did you mean \"purpose\"");
    assertThat(errors.get("$.timestampColumn")).contains("date or timestamp");
    assertThat(errors.get("$.parent")).contains("no parent model \"purchases\"");

    ApiClient.Response parentColumn =
        admin.put(
            "/api/v1/consent",
            DEMO.replace(
                "\"parentColumn\": \"email\"",
                "\"parent\": \"users\", \"parentColumn\": \"mail\""));
    assertThat(errors(parentColumn).keySet()).containsExactly("$.parentColumn");

    ApiClient.Response sql =
        admin.put(
            "/api/v1/consent",
            DEMO.replace(
                "{\"table\": \"demo.consent\"}", "{\"sql\": \"delete from demo.consent\"}"));
    assertThat(errors(sql).keySet()).containsExactly("$.source.sql");
    assertThat(errors(sql).get("$.source.sql")).startsWith("the warehouse rejected the query");

    ApiClient.Response shape =
        admin.put(
            "/api/v1/consent",
            "{\"source\": {\"table\": \"x\"}, \"missing\": {\"default\": \"maybe\"}}");
    assertThat(errors(shape).keySet())
        .contains("$.source.table", "$.subjectColumn", "$.missing.default");
    assertThat(admin.put("/api/v1/consent", "[1]").status()).isEqualTo(400);
    assertThat(admin.get("/api/v1/consent").status()).isEqualTo(404);
    assertThat(warehouse.dsl().fetchCount(warehouse.dsl().selectFrom("demo.consent"))).isPositive();
  }

  @Test
  void purposesCountSubjectsByTheirLatestReceiptAsAHandWrittenQueryDoes() {
    assertThat(admin.get("/api/v1/consent/purposes").status()).isEqualTo(404);
    assertThat(admin.put("/api/v1/consent", DEMO).status()).isEqualTo(200);
    JsonNode purposes = admin.get("/api/v1/consent/purposes").json();
    List<List<Object>> expected = new ArrayList<>();
    warehouse
        .dsl()
        .fetch(
            """
            with r as (select lower(trim(data_subject_identifier)) s, lower(trim(purpose)) p,
                              upper(trim(status)) st, updated_at t from demo.consent),
                 top as (select s, p, max(t) t from r group by s, p),
                 l as (select r.s, r.p, count(*) n, min(r.st) st
                       from r join top on r.s = top.s and r.p = top.p and r.t = top.t
                       group by r.s, r.p)
            select p, count(*),
                   sum(case when n = 1 and st in ('ACTIVE', 'ALWAYS_ACTIVE') then 1 else 0 end),
                   sum(case when n = 1 and st not in ('ACTIVE', 'ALWAYS_ACTIVE') then 1 else 0 end),
                   sum(case when n > 1 then 1 else 0 end)
            from l group by p order by p""")
        .forEach(
            r ->
                expected.add(
                    List.of(
                        r.get(0, String.class),
                        r.get(1, Long.class),
                        r.get(2, Long.class),
                        r.get(3, Long.class),
                        r.get(4, Long.class))));
    List<List<Object>> actual = new ArrayList<>();
    purposes.forEach(
        p ->
            actual.add(
                List.of(
                    p.get("purpose").asText(),
                    p.get("subjects").asLong(),
                    p.get("allows").asLong(),
                    p.get("blocks").asLong(),
                    p.get("ties").asLong())));
    assertThat(expected).hasSize(3);
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void theSemanticsOnHandMadeReceipts() {
    String sql =
        "select * from (values"
            + " ('A@x.com ', 'Advertising', 'active', timestamptz '2026-01-01 00:00Z'),"
            + " ('a@x.com', 'advertising', 'OPT_OUT', timestamptz '2026-01-01 00:00Z'),"
            + " ('b@x.com', 'advertising', ' active ', null),"
            + " ('b@x.com', 'advertising', 'WITHDRAWN', timestamptz '2025-06-01 00:00Z'),"
            + " ('c@x.com', 'advertising', 'always_active', timestamptz '2026-02-01 00:00Z'),"
            + " ('C@X.com', 'advertising', 'OPT_OUT', timestamptz '2026-01-01 00:00Z'),"
            + " ('c@x.com', ' Analytics', 'PENDING', timestamptz '2026-01-01 00:00Z'),"
            + " ('d@x.com', 'analytics', 'ACTIVE', null)"
            + ") v(subject, purpose, status, at)";
    String body =
        """
        {"source": {"sql": "%s"}, "subjectColumn": "subject", "purposeColumn": "purpose",
         "statusColumn": "status", "timestampColumn": "at", "parentColumn": "email"}"""
            .formatted(sql);
    ApiClient.Response put = admin.put("/api/v1/consent", body);
    assertThat(put.status()).as(put.body()).isEqualTo(200);
    JsonNode purposes = admin.get("/api/v1/consent/purposes").json();
    assertThat(purposes.toString())
        .isEqualTo(
            "[{\"purpose\":\"advertising\",\"subjects\":3,\"allows\":1,\"blocks\":1,\"ties\":1},"
                + "{\"purpose\":\"analytics\",\"subjects\":2,\"allows\":1,\"blocks\":1,\"ties\":0}]");
  }

  private long audits() {
    return appStore.fetchCount(
        appStore.selectFrom("audit_log").where("entity = 'consent' and entity_key = 'consent'"));
  }

  static Map<String, String> errors(ApiClient.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode e : r.json().get("errors")) {
      out.put(e.get("path").asText(), e.get("message").asText());
    }
    return out;
  }
}
