package io.customerstudio.activities.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.customerstudio.infra.store.ScheduleType;
import java.io.UncheckedIOException;
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
 * the scheduler workflow can call {@link #next} deterministically. Its JSON (stored with the sync,
 * and the scheduler workflow's input) is {@code {"type": "interval", "every": "PT1H", ...}}.
 */
public record Schedule(ScheduleType type, String every, String expression, String timezone) {

  public static final Schedule MANUAL = new Schedule(ScheduleType.MANUAL, null, null, null);

  /** The shortest interval accepted: shorter ones would only queue behind the running run. */
  public static final Duration MIN_INTERVAL = Duration.ofMinutes(1);

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** A stored schedule (checked when it was saved); none stored is manual. */
  public static Schedule of(String json) {
    try {
      Schedule s = json == null ? null : JSON.readValue(json, Schedule.class);
      return s == null || s.type() == null ? MANUAL : s;
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("a stored schedule is not valid: " + json, e);
    }
  }

  /**
   * The JSON {@link #of} reads: every field, null ones too, so equal schedules store equal text.
   */
  public String json() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * What is wrong with it, each as {@code <path>.<field>: message} under {@code path} (e.g. {@code
   * $.schedule}); empty when it can be followed.
   */
  public List<String> problems(String path) {
    List<String> out = new ArrayList<>();
    if (type == null) {
      out.add(path + ".type: one of " + String.join(", ", ScheduleType.WIRE));
      return out;
    }
    switch (type) {
      case MANUAL, REALTIME -> {}
      case INTERVAL -> {
        try {
          Duration d = Duration.parse(every == null ? "" : every);
          if (d.compareTo(MIN_INTERVAL) < 0) {
            out.add(path + ".every: at least " + MIN_INTERVAL + " (one minute)");
          }
        } catch (DateTimeParseException e) {
          out.add(path + ".every: an ISO-8601 duration such as PT15M, PT1H or P1D");
        }
      }
      case CRON -> {
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
    }
    return out;
  }

  /** The next time after {@code after} that this schedule fires; empty for manual and realtime. */
  public Optional<Instant> next(Instant after, Instant anchor) {
    if (type == ScheduleType.INTERVAL) {
      Duration d = Duration.parse(every);
      Instant start = anchor == null ? after : anchor;
      if (start.isAfter(after)) {
        return Optional.of(start);
      }
      long periods = Duration.between(start, after).toMillis() / d.toMillis() + 1;
      return Optional.of(start.plusMillis(periods * d.toMillis()));
    }
    if (type == ScheduleType.CRON) {
      ZonedDateTime next = cron().next(after.atZone(zone()));
      return Optional.ofNullable(next).map(ZonedDateTime::toInstant);
    }
    return Optional.empty();
  }

  public boolean realtime() {
    return type == ScheduleType.REALTIME;
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
      case INTERVAL -> "every " + Duration.parse(every).toString().substring(2).toLowerCase();
      case CRON -> "cron " + expression + " (" + zone() + ")";
      case REALTIME -> "real time";
      case MANUAL -> "manual";
    };
  }
}
