package io.customerstudio.activities.destinations;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Delivers batches to an HTTP endpoint as signed JSON: {@code {"sync", "runId", "batch", "rows":
 * [{"op", "key", "fields"}]}} with {@code Idempotency-Key: <runId>-<batch>} (the same on every
 * retry) and {@code X-Studio-Signature} (HMAC-SHA256 with the destination's signing secret, signed
 * afresh on each request).
 *
 * <p>Each request is made once, after the delivery core's {@link Pacer}: 408, 429, 5xx and I/O
 * errors are transient failures (with the endpoint's {@code Retry-After}, in seconds or as an HTTP
 * date), which the core retries. A batch the endpoint refuses as a whole (another 4xx) is split in
 * halves, recursively, so the rows it refuses are isolated and reported one by one while the others
 * are delivered; a part's idempotency key extends its batch's ({@code <runId>-<batch>.1.2}).
 *
 * <p>Thread-safe; one instance (and one HTTP client) per destination, shared by every delivery.
 */
public final class WebhookConnector implements Connector {

  /** Where and how fast: the URL, extra headers, rows per batch, requests per second. */
  public record Config(
      URI url, Map<String, String> headers, int batchSize, double requestsPerSecond) {

    /** Problems with this configuration, each naming its field; empty when usable. */
    public List<String> problems() {
      List<String> out = new ArrayList<>();
      if (url == null
          || url.getScheme() == null
          || !List.of("http", "https").contains(url.getScheme().toLowerCase(Locale.ROOT))
          || url.getHost() == null) {
        out.add("url: give an http or https URL with a host");
      }
      if (batchSize < 1 || batchSize > 10_000) {
        out.add("batchSize: from 1 to 10000 rows");
      }
      if (!(requestsPerSecond > 0) || requestsPerSecond > 10_000) {
        out.add("requestsPerSecond: greater than 0, at most 10000");
      }
      if (headers != null) {
        for (String h : headers.keySet()) {
          String lower = h.toLowerCase(Locale.ROOT);
          if (lower.equals("idempotency-key")
              || lower.equals(Signatures.HEADER.toLowerCase(Locale.ROOT))
              || lower.equals("content-type")
              || lower.equals("content-length")
              || lower.equals("host")) {
            out.add("headers." + h + ": set by Customer Studio itself");
          }
        }
      }
      return out;
    }
  }

  /** How long one request may take, connection included. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Config config;
  private final String signingSecret;
  private final HttpClient http;
  private final Clock clock;

  public WebhookConnector(Config config, String signingSecret, Clock clock) {
    List<String> problems = config.problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    this.config = config;
    this.signingSecret = signingSecret;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  public Config config() {
    return config;
  }

  @Override
  public int parallelism() {
    return 4; // the shared rate limiter still caps requests per second
  }

  @Override
  public int batchSize() {
    return config.batchSize();
  }

  @Override
  public double requestsPerSecond() {
    return config.requestsPerSecond();
  }

  /**
   * Sends a batch and says what became of each row.
   *
   * @throws DeliveryException when the endpoint cannot be reached or fails the request: nothing of
   *     the batch counts as delivered
   */
  @Override
  public List<RowOutcome> deliver(Batch batch, Pacer pacer) {
    byte[] body = body(batch);
    HttpResponse<String> response = call(batch, body, pacer);
    int status = response.statusCode();
    if (status / 100 == 2) {
      return batch.rows().stream().map(r -> RowOutcome.accepted(r.key())).toList();
    }
    String reason = "HTTP " + status + snippet(response.body());
    if (batch.rows().size() == 1) {
      return List.of(RowOutcome.rejected(batch.rows().get(0).key(), reason));
    }
    // refused as a whole: halve until the refused rows stand alone
    int half = batch.rows().size() / 2;
    List<RowOutcome> out =
        new ArrayList<>(deliver(batch.part(1, batch.rows().subList(0, half)), pacer));
    out.addAll(deliver(batch.part(2, batch.rows().subList(half, batch.rows().size())), pacer));
    return out;
  }

  /** One request that the endpoint answers at all: a GET of the URL, no rows sent. */
  @Override
  public Optional<String> test() {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(config.url()).timeout(Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() >= 500
          ? Optional.of("the endpoint answered HTTP " + r.statusCode())
          : Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot reach " + config.url() + ": " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }

  /** One request; a transient answer or an I/O error becomes a retryable failure. */
  private HttpResponse<String> call(Batch batch, byte[] body, Pacer pacer) {
    pacer.beforeRequest();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(config.url())
            .timeout(REQUEST_TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (config.headers() != null) {
      config.headers().forEach(request::header);
    }
    request
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", batch.idempotencyKey())
        .header(
            Signatures.HEADER,
            Signatures.sign(signingSecret, clock.instant().getEpochSecond(), body));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw DeliveryException.transientFailure(
          "cannot reach " + config.url() + " (" + describe(e) + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DeliveryException.transientFailure("interrupted while delivering", e);
    }
    int status = response.statusCode();
    if (transient_(status)) {
      throw DeliveryException.transientFailure(
          "HTTP " + status + snippet(response.body()) + " from " + config.url(),
          retryAfter(response).orElse(null),
          null);
    }
    return response;
  }

  /** 408, 429 and 5xx are worth another attempt; other answers are final. */
  private static boolean transient_(int status) {
    return status == 408 || status == 429 || status >= 500;
  }

  /** {@code Retry-After} in seconds or as an HTTP date, when the endpoint gave one. */
  private Optional<Duration> retryAfter(HttpResponse<String> response) {
    Optional<String> after = response.headers().firstValue("Retry-After").map(String::strip);
    if (after.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(after.get()))));
    } catch (NumberFormatException notSeconds) {
      try {
        java.time.Instant at =
            java.time.ZonedDateTime.parse(
                    after.get(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                .toInstant();
        Duration d = Duration.between(clock.instant(), at);
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (java.time.format.DateTimeParseException neither) {
        return Optional.empty();
      }
    }
  }

  /** An I/O error in words: its message, or what its type says when it has none. */
  static String describe(IOException e) {
    if (e instanceof java.net.ConnectException) {
      return "connection refused";
    }
    if (e instanceof java.net.http.HttpTimeoutException) {
      return "timed out";
    }
    if (e instanceof java.net.UnknownHostException) {
      return "unknown host " + e.getMessage();
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /** The request body, streamed: each row's fields go out as the warehouse wrote them. */
  private static byte[] body(Batch batch) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(8192);
    try (JsonGenerator out = JSON.createGenerator(bytes)) {
      out.writeStartObject();
      out.writeStringField("sync", batch.sync());
      out.writeStringField("runId", batch.runId());
      out.writeNumberField("batch", batch.number());
      out.writeArrayFieldStart("rows");
      for (DeliveryRow r : batch.rows()) {
        r.write(out);
      }
      out.writeEndArray();
      out.writeEndObject();
    } catch (IOException e) {
      throw new IllegalArgumentException("a field value cannot be written as JSON", e);
    }
    return bytes.toByteArray();
  }

  private static String snippet(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String s = body.strip().replaceAll("\\s+", " ");
    return ": " + (s.length() > 200 ? s.substring(0, 200) + "…" : s);
  }
}
