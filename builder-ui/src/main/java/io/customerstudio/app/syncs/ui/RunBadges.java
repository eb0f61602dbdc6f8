package io.customerstudio.app.syncs.ui;

import com.vaadin.flow.component.html.Span;
import java.time.Duration;
import java.time.OffsetDateTime;

/** How run statuses and durations look wherever runs are listed. */
final class RunBadges {

  private RunBadges() {}

  static Span status(String status) {
    Span s = new Span(status.replace('_', ' '));
    String theme =
        switch (status) {
          case "succeeded" -> "badge success";
          case "failed", "interrupted" -> "badge error";
          case "succeeded_with_errors", "cancelled" -> "badge contrast";
          default -> "badge";
        };
    s.getElement().getThemeList().add(theme);
    s.getElement().setAttribute("data-status", status);
    return s;
  }

  static String duration(OffsetDateTime from, OffsetDateTime to) {
    if (from == null) {
      return "";
    }
    Duration d = Duration.between(from, to == null ? OffsetDateTime.now() : to);
    if (d.toMillis() < 1000) {
      return d.toMillis() + " ms";
    }
    if (d.toSeconds() < 120) {
      return String.format("%.1f s", d.toMillis() / 1000.0);
    }
    return d.toMinutes() + " min " + d.toSecondsPart() + " s";
  }
}
