package io.customerstudio.activities.destinations;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.MaxRetriesExceededException;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.function.Supplier;

/**
 * Delivers batches to an HTTP endpoint as signed JSON: {@code {"sync", "runId", "batch", "rows":
 * [{"op", "key", "fields"}]}} with {@code Idempotency-Key: <runId>-<batch>} (the same on every
 * retry) and {@code X-Studio-Signature} (HMAC-SHA256 with the destination's signing secret, signed
 * afresh on each attempt).
 *
 * <p>Retries (resilience4j): 429 waits for its Retry-After, 408, 5xx and I/O errors back off
 * exponentially; every attempt first takes a permit from the destination's rate limiter. A batch
 * the endpoint refuses as a whole (another 4xx) is split in halves, recursively, so the rows it
 * refuses are isolated and reported one by one while the others are delivered; a part's idempotency
 * key extends its batch's ({@code <runId>-<batch>.1.2}).
 *
 * <p>Thread-safe; one instance per destination, shared by the batches of a run so they share the
 * rate limit.
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

  /** How retries back off: attempts per request, the first wait and the longest wait. */
  public record Backoff(int maxAttempts, Duration initial, Duration max) {
    public static final Backoff DEFAULT =
        new Backoff(8, Duration.ofMillis(500), Duration.ofMinutes(1));
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Config config;
  private final String signingSecret;
  private final HttpClient http;
  private final Clock clock;
  private final Retry retry;
  private final RateLimiter limiter;

  public WebhookConnector(Config config, String signingSecret, Backoff backoff, Clock clock) {
    List<String> problems = config.problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    this.config = config;
    this.signingSecret = signingSecret;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    this.retry =
        Retry.of(
            "webhook " + config.url(),
            RetryConfig.<HttpResponse<String>>custom()
                .maxAttempts(backoff.maxAttempts())
                .retryOnResult(r -> transient_(r.statusCode()))
                .retryExceptions(UncheckedIOException.class)
                .failAfterMaxAttempts(true)
                .intervalBiFunction(interval(backoff))
                .build());
    double rps = config.requestsPerSecond();
    this.limiter =
        RateLimiter.of(
            "webhook " + config.url(),
            RateLimiterConfig.custom()
                .limitForPeriod(rps >= 1 ? (int) Math.round(rps) : 1)
                .limitRefreshPeriod(
                    rps >= 1 ? Duration.ofSeconds(1) : Duration.ofMillis(Math.round(1000 / rps)))
                .timeoutDuration(Duration.ofMinutes(10))
                .build());
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

  /**
   * Sends a batch and says what became of each row.
   *
   * @throws DeliveryException when the endpoint cannot be reached or keeps failing after the
   *     retries: nothing of the batch counts as delivered
   */
  @Override
  public List<RowOutcome> deliver(Batch batch) {
    byte[] body = body(batch);
    HttpResponse<String> response = call(batch, body);
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
    List<RowOutcome> out = new ArrayList<>(deliver(batch.part(1, batch.rows().subList(0, half))));
    out.addAll(deliver(batch.part(2, batch.rows().subList(half, batch.rows().size()))));
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
      return Optional.of(
          "cannot reach "
              + config.url()
              + ": "
              + (e.getMessage() != null
                  ? e.getMessage()
                  : !(e instanceof java.net.ConnectException)
                      ? e.getClass().getSimpleName()
                      : e.getCause() != null
                              && e.getCause().getCause()
                                  instanceof java.nio.channels.UnresolvedAddressException
                          ? "host not found"
                          : "connection refused"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }

  private HttpResponse<String> call(Batch batch, byte[] body) {
    Supplier<HttpResponse<String>> attempt =
        () -> {
          RateLimiter.waitForPermission(limiter);
          HttpRequest.Builder request =
              HttpRequest.newBuilder(config.url())
                  .timeout(Duration.ofSeconds(60))
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
          try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("interrupted while delivering", e);
          }
        };
    try {
      return Retry.decorateSupplier(retry, attempt).get();
    } catch (MaxRetriesExceededException e) {
      throw new DeliveryException(
          "batch " + batch.idempotencyKey() + ": " + e.getMessage() + " (" + config.url() + ")");
    } catch (UncheckedIOException e) {
      throw new DeliveryException(
          "batch " + batch.idempotencyKey() + ": cannot reach " + config.url(), e.getCause());
    }
  }

  /** 408, 429 and 5xx are worth another attempt; other answers are final. */
  private static boolean transient_(int status) {
    return status == 408 || status == 429 || status >= 500;
  }

  /**
   * Retry-After (seconds) on a 429 or 503 when given; exponential backoff with jitter otherwise.
   */
  private static IntervalBiFunction<HttpResponse<String>> interval(Backoff b) {
    return (attempt, either) -> {
      if (either.isRight()) {
        Optional<String> after = either.get().headers().firstValue("Retry-After");
        if (after.isPresent()) {
          try {
            long ms = Long.parseLong(after.get().strip()) * 1000;
            return Math.min(Math.max(ms, 0), b.max().toMillis());
          } catch (NumberFormatException httpDate) {
            // an HTTP date: fall back to backoff
          }
        }
      }
      double exp = b.initial().toMillis() * Math.pow(2, attempt - 1);
      double jitter = 0.8 + Math.random() * 0.4;
      return (long) Math.min(exp * jitter, b.max().toMillis());
    };
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
