package io.customerstudio.activities.destinations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook connector against a local HTTP sink that checks the documented wire format: body,
 * idempotency key, signature; 5xx and 429 as transient failures that carry the endpoint's
 * Retry-After (the delivery core retries them: DeliveryTest), and a refused batch split down to the
 * refused rows.
 */
class WebhookConnectorTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String SECRET = "whsec-test";

  /** What the sink saw: one entry per request. */
  record Seen(String idempotencyKey, String signature, String custom, byte[] body, long atNanos) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  /** What the sink answers: status, Retry-After (or null), body. */
  record Answer(int status, String retryAfter, String body) {}

  HttpServer server;
  final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
  volatile Function<Seen, Answer> behaviour = s -> new Answer(200, null, "{}");

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/hook",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          Seen s =
              new Seen(
                  exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                  exchange.getRequestHeaders().getFirst(Signatures.HEADER),
                  exchange.getRequestHeaders().getFirst("X-Custom"),
                  body,
                  System.nanoTime());
          seen.add(s);
          Answer a = behaviour.apply(s);
          if (a.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", a.retryAfter());
          }
          byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(a.status(), out.length);
          exchange.getResponseBody().write(out);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  WebhookConnector connector() {
    return new WebhookConnector(
        new WebhookConnector.Config(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook"),
            Map.of("X-Custom", "yes"),
            100,
            1000),
        SECRET,
        Clock.systemUTC());
  }

  static Batch batch(String... keys) {
    List<DeliveryRow> rows = new ArrayList<>();
    for (String k : keys) {
      rows.add(
          k.startsWith("-")
              ? new DeliveryRow(DeliveryRow.Op.DELETE, k.substring(1), Map.of())
              : new DeliveryRow(
                  DeliveryRow.Op.UPSERT, k, Map.of("email", k + "@example.com", "ltv", 12.5)));
    }
    return new Batch("vip-to-crm", "run-7", 3, "run-7-3", rows);
  }

  @Test
  void postsTheDocumentedBodySignedWithAStableIdempotencyKey() throws Exception {
    List<RowOutcome> out = connector().deliver(batch("u1", "-u2"));

    assertThat(out).containsExactly(RowOutcome.accepted("u1"), RowOutcome.accepted("u2"));
    Seen s = seen.peek();
    assertThat(s.idempotencyKey()).isEqualTo("run-7-3");
    assertThat(s.custom()).isEqualTo("yes");
    assertThat(
            Signatures.verify(
                SECRET, s.signature(), s.body(), Instant.now(), Duration.ofSeconds(300)))
        .isTrue();
    assertThat(
            Signatures.verify(
                "other", s.signature(), s.body(), Instant.now(), Duration.ofSeconds(300)))
        .isFalse();
    assertThat(s.json())
        .isEqualTo(
            JSON.readTree(
                """
                {"sync": "vip-to-crm", "runId": "run-7", "batch": 3, "rows": [
                  {"op": "upsert", "key": "u1", "fields": {"email": "u1@example.com", "ltv": 12.5}},
                  {"op": "delete", "key": "u2", "fields": {}}]}"""));
  }

  @Test
  void rowsThatCameAsWarehouseJsonGoOutAsTheyAreNumbersExact() throws Exception {
    String fields =
        "{\"ltv\": 12345678901234567890.125, \"name\": \"Zoë \\\"Z\\\"\", \"vip\": null}";
    Batch batch =
        new Batch(
            "vip-to-crm",
            "run-8",
            0,
            "run-8-0",
            List.of(
                DeliveryRow.ofJson(DeliveryRow.Op.UPSERT, "u1", fields),
                DeliveryRow.ofJson(DeliveryRow.Op.DELETE, "u2", "{}")));

    assertThat(connector().deliver(batch))
        .containsExactly(RowOutcome.accepted("u1"), RowOutcome.accepted("u2"));

    Seen s = seen.peek();
    String body = new String(s.body(), StandardCharsets.UTF_8);
    assertThat(body).contains("12345678901234567890.125");
    assertThat(s.json())
        .isEqualTo(
            JSON.readTree(
                """
                {"sync": "vip-to-crm", "runId": "run-8", "batch": 0, "rows": [
                  {"op": "upsert", "key": "u1", "fields": %s},
                  {"op": "delete", "key": "u2", "fields": {}}]}"""
                    .formatted(fields)));
    assertThat(batch.rows().get(0).fields()).containsEntry("name", "Zoë \"Z\"");
  }

  @Test
  void serverErrorsAndRateLimitsAreTransientFailuresCarryingRetryAfter() {
    behaviour = s -> new Answer(500, null, "boom");
    assertThatThrownBy(() -> connector().deliver(batch("u1")))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.retryAfter()).isEmpty();
              assertThat(e.getMessage()).contains("HTTP 500: boom");
            });

    behaviour = s -> new Answer(429, "60", "slow down");
    assertThatThrownBy(() -> connector().deliver(batch("u1")))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(60)));

    String inTwoMinutes =
        java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
            java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusMinutes(2));
    behaviour = s -> new Answer(503, inTwoMinutes, "maintenance");
    assertThatThrownBy(() -> connector().deliver(batch("u1")))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e ->
                assertThat(e.retryAfter().orElseThrow())
                    .isBetween(Duration.ofSeconds(100), Duration.ofSeconds(120)));
    // one request per call: retrying is the delivery core's, under the same key
    assertThat(seen)
        .hasSize(3)
        .allSatisfy(s -> assertThat(s.idempotencyKey()).isEqualTo("run-7-3"));
  }

  @Test
  void aRefusedBatchIsSplitUntilTheRefusedRowsStandAlone() {
    behaviour =
        s ->
            new String(s.body(), StandardCharsets.UTF_8).contains("\"bad\"")
                ? new Answer(422, null, "{\"error\": \"invalid email\"}")
                : new Answer(200, null, "{}");
    List<RowOutcome> out = connector().deliver(batch("a", "b", "bad", "c", "d"));

    assertThat(out)
        .containsExactlyInAnyOrder(
            RowOutcome.accepted("a"),
            RowOutcome.accepted("b"),
            RowOutcome.rejected("bad", "HTTP 422: {\"error\": \"invalid email\"}"),
            RowOutcome.accepted("c"),
            RowOutcome.accepted("d"));
    // every accepted part went under its own key, derived from the batch's
    assertThat(seen)
        .extracting(Seen::idempotencyKey)
        .doesNotHaveDuplicates()
        .allMatch(k -> k.startsWith("run-7-3"));
  }

  @Test
  void anEndpointThatCannotBeReachedSaysSoInWords() {
    server.stop(0);
    assertThatThrownBy(() -> connector().deliver(batch("u1")))
        .isInstanceOfSatisfying(
            DeliveryException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.getMessage()).contains("connection refused").doesNotContain("null");
            });
    assertThat(connector().test())
        .hasValueSatisfying(m -> assertThat(m).contains("connection refused"));
  }

  @Test
  void signaturesOutsideTheToleranceOrMalformedAreRefused() {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    Instant now = Instant.parse("2026-11-29T00:00:00Z");
    String header = Signatures.sign(SECRET, now.getEpochSecond(), body);
    assertThat(
            Signatures.verify(SECRET, header, body, now.plusSeconds(299), Duration.ofSeconds(300)))
        .isTrue();
    assertThat(
            Signatures.verify(SECRET, header, body, now.plusSeconds(301), Duration.ofSeconds(300)))
        .isFalse();
    assertThat(
            Signatures.verify(
                SECRET,
                header,
                "{ }".getBytes(StandardCharsets.UTF_8),
                now,
                Duration.ofSeconds(300)))
        .isFalse();
    assertThat(Signatures.verify(SECRET, "t=abc,v1=zz", body, now, Duration.ofSeconds(300)))
        .isFalse();
    assertThat(Signatures.verify(SECRET, null, body, now, Duration.ofSeconds(300))).isFalse();
  }

  @Test
  void configurationProblemsNameTheirField() {
    assertThat(
            new WebhookConnector.Config(URI.create("ftp://x"), Map.of("Idempotency-Key", "x"), 0, 0)
                .problems())
        .containsExactly(
            "url: give an http or https URL with a host",
            "batchSize: from 1 to 10000 rows",
            "requestsPerSecond: greater than 0, at most 10000",
            "headers.Idempotency-Key: set by Customer Studio itself");
  }
}
