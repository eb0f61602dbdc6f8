package io.customerstudio.app.syncs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.customerstudio.activities.destinations.Signatures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A webhook endpoint as a vendor would run it: it checks the documented wire format (signature,
 * Idempotency-Key, body shape) and applies each idempotency key once, so a retried request is
 * acknowledged without being applied again. Faults on demand: a share of requests fail (500, 429
 * with Retry-After, slow), batches holding chosen keys are refused (400), and one batch can be held
 * until the test lets it go.
 */
public final class SyncSink implements AutoCloseable {

  /** A request the sink applied: its key, batch number and rows (op and key). */
  public record Applied(String idempotencyKey, int batch, List<String> rows) {}

  public static final String SECRET = "whsec-sync-e2e-0123456789";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final Map<String, Applied> applied = new ConcurrentHashMap<>();
  private final List<String> order = Collections.synchronizedList(new ArrayList<>());
  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, String> state = new ConcurrentHashMap<>();
  private volatile double failRate;
  private volatile Random random = new Random(7);
  private volatile Set<String> refuse = Set.of();
  private volatile int holdBatch = -1;
  private volatile CountDownLatch held = new CountDownLatch(1);
  private volatile CountDownLatch release = new CountDownLatch(0);
  private volatile int requests;
  private volatile long delayMillis;
  private volatile int faults;
  private volatile long downUntilNanos;
  private volatile int throttleLeft;
  private volatile int throttleSeconds;
  private final List<Long> throttledAt = Collections.synchronizedList(new ArrayList<>());
  private final List<Long> requestAt = Collections.synchronizedList(new ArrayList<>());
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> received = new ConcurrentHashMap<>();

  public SyncSink() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/hook", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  /** Fails this share of requests (a third each 500, 429 with Retry-After: 1, or slow 503). */
  void failRate(double rate, long seed) {
    random = new Random(seed);
    failRate = rate;
  }

  /** Answers 503 to every request for this long from now: an outage. */
  public void outage(Duration d) {
    downUntilNanos = System.nanoTime() + d.toNanos();
  }

  /** Answers the next {@code n} requests 429 with {@code Retry-After: seconds}. */
  void throttle(int n, int seconds) {
    throttleSeconds = seconds;
    throttleLeft = n;
  }

  /** When each 429 of {@link #throttle} went out, and when every request came (nanoTime). */
  List<Long> throttledAt() {
    return List.copyOf(throttledAt);
  }

  List<Long> requestTimes() {
    synchronized (requestAt) {
      return List.copyOf(requestAt);
    }
  }

  /** Answers every request this much later: a slow destination. */
  public void delay(long millis) {
    delayMillis = millis;
  }

  /** Refuses (400) any batch that holds one of these keys. */
  public void refuse(Set<String> keys) {
    refuse = Set.copyOf(keys);
  }

  /** Holds the first request of this batch number until {@link #letGo()}. */
  CountDownLatch hold(int batch) {
    held = new CountDownLatch(1);
    release = new CountDownLatch(1);
    holdBatch = batch;
    return held;
  }

  void letGo() {
    holdBatch = -1;
    release.countDown();
  }

  /** The destination's records: key to the last fields applied, deletes removed. */
  Map<String, String> records() {
    return Map.copyOf(state);
  }

  /** Every request applied, once per idempotency key. */
  public Map<String, Applied> applied() {
    return Map.copyOf(applied);
  }

  /** Row keys in the order applied, one entry per applied row (a row sent twice shows twice). */
  public List<String> appliedRows() {
    synchronized (order) {
      return List.copyOf(order);
    }
  }

  /** How many well-formed requests came with each idempotency key (applied or not). */
  public Map<String, Integer> received() {
    return Map.copyOf(received);
  }

  /** How many requests are being answered right now. */
  public int inFlight() {
    return inFlight.size();
  }

  public List<String> violations() {
    return List.copyOf(violations);
  }

  int faults() {
    return faults;
  }

  public void reset() {
    applied.clear();
    received.clear();
    order.clear();
    violations.clear();
    state.clear();
    failRate = 0;
    refuse = Set.of();
    holdBatch = -1;
    delayMillis = 0;
    faults = 0;
    requests = 0;
    downUntilNanos = 0;
    throttleLeft = 0;
    throttledAt.clear();
    requestAt.clear();
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      requests++;
      byte[] body = x.getRequestBody().readAllBytes();
      String key = x.getRequestHeaders().getFirst("Idempotency-Key");
      String signature = x.getRequestHeaders().getFirst(Signatures.HEADER);
      if (!"POST".equals(x.getRequestMethod())
          || key == null
          || !Signatures.verify(SECRET, signature, body, Instant.now(), Duration.ofMinutes(5))
          || !"application/json"
              .equals(x.getRequestHeaders().getFirst("Content-Type").split(";")[0].strip())) {
        violations.add("bad request headers for " + key + ": " + signature);
        respond(x, 401, "{}");
        return;
      }
      JsonNode json = JSON.readTree(body);
      int batch = json.path("batch").asInt(-1);
      if (!json.path("sync").isTextual()
          || !json.path("runId").isTextual()
          || batch < 0
          || !json.path("rows").isArray()
          || !key.startsWith(json.path("runId").asText() + "-" + batch)) {
        violations.add("bad body for " + key + ": " + json);
        respond(x, 422, "{}");
        return;
      }
      List<String> rows = new ArrayList<>();
      for (JsonNode r : json.path("rows")) {
        String op = r.path("op").asText();
        if (!List.of("upsert", "delete").contains(op)
            || !r.path("key").isTextual()
            || !r.path("fields").isObject()) {
          violations.add("bad row in " + key + ": " + r);
          respond(x, 422, "{}");
          return;
        }
        rows.add(op + ":" + r.path("key").asText());
      }
      received.merge(key, 1, Integer::sum);
      // one batch (or part) in flight twice at once means two attempts sent it together
      String flight = key;
      if (!inFlight.add(flight)) {
        violations.add("batch " + key + " was in flight twice at once");
      }
      try {
        answer(x, key, batch, rows, json);
      } finally {
        inFlight.remove(flight);
      }
    }
  }

  private void answer(HttpExchange x, String key, int batch, List<String> rows, JsonNode json)
      throws IOException {
    {
      requestAt.add(System.nanoTime());
      if (System.nanoTime() < downUntilNanos) {
        faults++;
        respond(x, 503, "{\"error\": \"down for maintenance\"}");
        return;
      }
      synchronized (this) {
        if (throttleLeft > 0) {
          throttleLeft--;
          throttledAt.add(System.nanoTime());
          x.getResponseHeaders().add("Retry-After", String.valueOf(throttleSeconds));
          respond(x, 429, "{\"error\": \"rate limited\"}");
          return;
        }
      }
      if (batch == holdBatch) {
        holdBatch = -1;
        held.countDown();
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (delayMillis > 0) {
        sleep(delayMillis);
      }
      if (failRate > 0 && random.nextDouble() < failRate) {
        faults++;
        switch (random.nextInt(3)) {
          case 0 -> respond(x, 500, "{\"error\": \"try again\"}");
          case 1 -> {
            x.getResponseHeaders().add("Retry-After", "1");
            respond(x, 429, "{\"error\": \"slow down\"}");
          }
          default -> {
            sleep(300);
            respond(x, 503, "{\"error\": \"busy\"}");
          }
        }
        return;
      }
      for (JsonNode r : json.path("rows")) {
        if (refuse.contains(r.path("key").asText())) {
          respond(x, 400, "{\"error\": \"invalid row " + r.path("key").asText() + "\"}");
          return;
        }
      }
      synchronized (this) {
        if (!applied.containsKey(key)) {
          applied.put(key, new Applied(key, batch, rows));
          for (JsonNode r : json.path("rows")) {
            String k = r.path("key").asText();
            order.add(k);
            if ("delete".equals(r.path("op").asText())) {
              state.remove(k);
            } else {
              state.put(k, r.path("fields").toString());
            }
          }
        }
      }
      respond(x, 200, "{\"ok\": true}");
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void respond(HttpExchange x, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(status, b.length);
    x.getResponseBody().write(b);
  }

  /** Rows applied per key, to spot a row applied twice. */
  public Map<String, Integer> timesApplied() {
    Map<String, Integer> n = new LinkedHashMap<>();
    appliedRows().forEach(k -> n.merge(k, 1, Integer::sum));
    return n;
  }

  @Override
  public void close() {
    letGo();
    server.stop(0);
  }
}
