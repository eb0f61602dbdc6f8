package io.customerstudio.activities.sync;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.scheduling.support.CronExpression;

/**
 * When a sync runs by itself: {@code manual} (never), {@code interval} (every ISO-8601 duration, at
 * least a minute), {@code cron} (five Unix fields, or six with seconds, in a time zone, UTC by
 * default) or {@code realtime} (on a webhook or API trigger, within seconds). Pure computation, so
 * the scheduler workflow can call {@link #next} deterministically.
 */
public record Schedule(String type, String every, String expression, String timezone) {

  public static final Schedule MANUAL = new Schedule("manual", null, null, null);

  /** The shortest interval accepted: shorter ones would only queue behind the running run. */
  public static final Duration MIN_INTERVAL = Duration.ofMinutes(1);

  /** A stored schedule (validated when it was saved). */
  public static Schedule of(String json) {
    try {
      return read(
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(json), "$", new ArrayList<>());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Reads {@code {"type": ...}}; problems are added with {@code path} (e.g. {@code $.schedule}).
   */
  public static Schedule read(JsonNode json, String path, List<String> problems) {
    if (json == null || json.isMissingNode() || json.isNull()) {
      return MANUAL;
    }
    if (!json.isObject()) {
      problems.add(path + ": give an object such as {\"type\": \"interval\", \"every\": \"PT1H\"}");
      return MANUAL;
    }
    String type = json.path("type").asText("");
    Schedule s =
        new Schedule(type, text(json, "every"), text(json, "expression"), text(json, "timezone"));
    problems.addAll(s.problems(path));
    return s;
  }

  private static String text(JsonNode json, String field) {
    JsonNode v = json.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  public List<String> problems(String path) {
    List<String> out = new ArrayList<>();
    switch (type == null ? "" : type) {
      case "manual", "realtime" -> {}
      case "interval" -> {
        try {
          Duration d = Duration.parse(every == null ? "" : every);
          if (d.compareTo(MIN_INTERVAL) < 0) {
            out.add(path + ".every: at least " + MIN_INTERVAL + " (one minute)");
          }
        } catch (DateTimeParseException e) {
          out.add(path + ".every: an ISO-8601 duration such as PT15M, PT1H or P1D");
        }
      }
      case "cron" -> {
        try {
          cron();
        } catch (IllegalArgumentException e) {
          out.add(path + ".expression: not a cron expression (" + e.getMessage() + ")");
        }
        try {
          zone();
        } catch (DateTimeException e) {
          out.add(path + ".timezone: not a time zone such as UTC or Europe/Berlin");
        }
      }
      default ->
          out.add(path + ".type: one of manual, interval, cron, realtime (was \"" + type + "\")");
    }
    return out;
  }

  /** The next time after {@code after} that this schedule fires; empty for manual and realtime. */
  public Optional<Instant> next(Instant after, Instant anchor) {
    if ("interval".equals(type)) {
      Duration d = Duration.parse(every);
      Instant start = anchor == null ? after : anchor;
      if (start.isAfter(after)) {
        return Optional.of(start);
      }
      long periods = Duration.between(start, after).toMillis() / d.toMillis() + 1;
      return Optional.of(start.plusMillis(periods * d.toMillis()));
    }
    if ("cron".equals(type)) {
      ZonedDateTime next = cron().next(after.atZone(zone()));
      return Optional.ofNullable(next).map(ZonedDateTime::toInstant);
    }
    return Optional.empty();
  }

  public boolean realtime() {
    return "realtime".equals(type);
  }

  /** Five Unix fields are read with a seconds field of 0. */
  private CronExpression cron() {
    String e = expression == null ? "" : expression.trim();
    if (e.split("\\s+").length == 5) {
      e = "0 " + e;
    }
    return CronExpression.parse(e);
  }

  private ZoneId zone() {
    return timezone == null || timezone.isBlank() ? ZoneId.of("UTC") : ZoneId.of(timezone);
  }

  /** A sentence for lists: "every PT1H", "cron 0 6 * * * (UTC)", "manual", "real time". */
  public String describe() {
    return switch (type) {
      case "interval" -> "every " + Duration.parse(every).toString().substring(2).toLowerCase();
      case "cron" -> "cron " + expression + " (" + zone() + ")";
      case "realtime" -> "real time";
      default -> "manual";
    };
  }
}
