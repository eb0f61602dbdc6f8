package io.customerstudio.activities.journey;

import static org.assertj.core.api.Assertions.assertThat;

import io.customerstudio.query.journey.JourneyDefinition;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Split nodes' groups and local times of day, the pure parts of the engine. */
class JourneySplitAndTimeTest {

  static final JourneyDefinition.SplitNode SPLIT =
      new JourneyDefinition.SplitNode(
          "test",
          "cart-2026-12",
          List.of(
              new JourneyDefinition.Group("email", new BigDecimal("45"), "a", false),
              new JourneyDefinition.Group("email+ads", new BigDecimal("45"), "b", false),
              new JourneyDefinition.Group("control", new BigDecimal("10"), null, true)));

  @Test
  void groupsAreWithinOnePercentagePointAt100kPeopleAndStableForAPerson() {
    Map<String, Integer> n = new HashMap<>();
    for (int i = 0; i < 100_000; i++) {
      n.merge(
          JourneyEngine.group("abandoned-cart", SPLIT, String.valueOf(i)).name(), 1, Integer::sum);
    }
    assertThat(n.get("email") / 1000.0).isBetween(44.0, 46.0);
    assertThat(n.get("email+ads") / 1000.0).isBetween(44.0, 46.0);
    assertThat(n.get("control") / 1000.0).isBetween(9.0, 11.0);
    // the same person, the same group: on re-entry, in another version, in a simulation
    for (int i = 0; i < 1000; i++) {
      String p = "person-" + i;
      assertThat(JourneyEngine.group("abandoned-cart", SPLIT, p))
          .isEqualTo(JourneyEngine.group("abandoned-cart", SPLIT, p));
    }
    // another journey (or node, or salt) shuffles people independently
    int same = 0;
    for (int i = 0; i < 10_000; i++) {
      String p = String.valueOf(i);
      if (JourneyEngine.group("abandoned-cart", SPLIT, p)
          .name()
          .equals(JourneyEngine.group("other", SPLIT, p).name())) {
        same++;
      }
    }
    // independent assignment agrees with probability .45² + .45² + .1² = 0.415
    assertThat(same / 10_000.0).isBetween(0.38, 0.45);
  }

  @Test
  void theNextLocalTimeCrossesDaylightSavingChanges() {
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    // 09:00 after a Saturday evening before spring-forward is 07:00Z (CEST), not 08:00Z
    assertThat(LocalTimes.next(Instant.parse("2026-03-28T19:00:00Z"), LocalTime.of(9, 0), berlin))
        .isEqualTo(Instant.parse("2026-03-29T07:00:00Z"));
    // and after fall-back 09:00 is 08:00Z (CET)
    assertThat(LocalTimes.next(Instant.parse("2026-10-24T19:00:00Z"), LocalTime.of(9, 0), berlin))
        .isEqualTo(Instant.parse("2026-10-25T08:00:00Z"));
    // 02:30 does not exist on spring-forward night: the first instant after the gap
    assertThat(LocalTimes.next(Instant.parse("2026-03-28T23:00:00Z"), LocalTime.of(2, 30), berlin))
        .isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
  }

  @Test
  void quietWindowsWrapMidnightInThePersonsZone() {
    ZoneId tokyo = ZoneId.of("Asia/Tokyo");
    LocalTime from = LocalTime.of(21, 0);
    LocalTime to = LocalTime.of(8, 0);
    // 23:00 in Tokyo: quiet until 08:00 the next morning (23:00Z)
    assertThat(LocalTimes.quietEnd(Instant.parse("2026-06-01T14:00:00Z"), from, to, tokyo))
        .isEqualTo(Instant.parse("2026-06-01T23:00:00Z"));
    // 06:00 in Tokyo: quiet until 08:00 the same morning
    assertThat(LocalTimes.quietEnd(Instant.parse("2026-06-01T21:00:00Z"), from, to, tokyo))
        .isEqualTo(Instant.parse("2026-06-01T23:00:00Z"));
    // noon: not quiet
    assertThat(LocalTimes.quietEnd(Instant.parse("2026-06-01T03:00:00Z"), from, to, tokyo))
        .isNull();
  }
}
