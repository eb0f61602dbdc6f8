package io.customerstudio.activities.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.customerstudio.infra.store.ScheduleType;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A schedule's JSON is stored with each sync and is the scheduler workflow's input: the typed
 * schedule reads and writes the very text stored before types (the lower-case words), so stored
 * syncs and recorded workflow histories stay readable.
 */
class ScheduleTest {

  @Test
  void theStoredTextIsReadAndWrittenUnchanged() {
    String stored =
        "{\"type\":\"interval\",\"every\":\"PT6H\",\"expression\":null,\"timezone\":null}";
    Schedule s = Schedule.of(stored);
    assertThat(s).isEqualTo(new Schedule(ScheduleType.INTERVAL, "PT6H", null, null));
    assertThat(s.json()).isEqualTo(stored);
    assertThat(Schedule.of("{\"type\":\"manual\"}")).isEqualTo(Schedule.MANUAL);
    assertThat(Schedule.of(null)).isEqualTo(Schedule.MANUAL);
    assertThat(Schedule.of("{\"type\":\"realtime\"}").realtime()).isTrue();
    assertThatThrownBy(() -> Schedule.of("{\"type\":\"weekly\"}"))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("weekly");
  }

  @Test
  void problemsNameTheFieldUnderThePathGiven() {
    assertThat(new Schedule(ScheduleType.INTERVAL, "PT30S", null, null).problems("$.schedule"))
        .containsExactly("$.schedule.every: at least PT1M (one minute)");
    assertThat(new Schedule(ScheduleType.CRON, null, "0 6 * *", "Mars/Olympus").problems("$.s"))
        .hasSize(2)
        .allSatisfy(p -> assertThat(p).matches("\\$\\.s\\.(expression|timezone): .*"));
    assertThat(new Schedule(null, null, null, null).problems("$.schedule"))
        .containsExactly("$.schedule.type: one of manual, interval, cron, realtime");
    assertThat(Schedule.MANUAL.problems("$.schedule")).isEmpty();
  }

  @Test
  void anIntervalTicksOnItsAnchorsGrid() {
    Schedule every2h = new Schedule(ScheduleType.INTERVAL, "PT2H", null, null);
    Instant anchor = Instant.parse("2026-11-01T10:00:00Z");
    assertThat(every2h.next(Instant.parse("2026-11-01T13:00:00Z"), anchor))
        .contains(Instant.parse("2026-11-01T14:00:00Z"));
    assertThat(every2h.describe()).isEqualTo("every 2h");
    assertThat(Schedule.MANUAL.next(anchor, anchor)).isEmpty();
  }
}
