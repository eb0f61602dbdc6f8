package io.customerstudio.app.syncs.ui;

import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.activities.sync.Schedule;
import io.customerstudio.infra.store.ScheduleType;
import java.time.Duration;
import java.util.Map;

/** Manual, every N minutes/hours/days, cron with a time zone, or real time. */
final class ScheduleEditor extends HorizontalLayout {
  private final Select<ScheduleType> type = new Select<>();
  private final IntegerField every = new IntegerField("Every");
  private final Select<String> unit = new Select<>();
  private final TextField cron = new TextField("Cron (min hour day month weekday)");
  private final TextField zone = new TextField("Time zone");

  ScheduleEditor() {
    setId("sync-schedule");
    type.setLabel("Runs");
    type.setId("sync-schedule-type");
    type.setItems(ScheduleType.values());
    type.setItemLabelGenerator(
        t ->
            switch (t) {
              case INTERVAL -> "On an interval";
              case CRON -> "On a cron schedule";
              case REALTIME -> "In real time (webhook or API trigger)";
              case MANUAL -> "Manually";
            });
    every.setId("sync-schedule-every");
    every.setMin(1);
    every.setValue(1);
    unit.setId("sync-schedule-unit");
    unit.setLabel("Unit");
    unit.setItems("minutes", "hours", "days");
    unit.setValue("hours");
    cron.setId("sync-schedule-cron");
    cron.setPlaceholder("0 6 * * *");
    zone.setId("sync-schedule-zone");
    zone.setValue("UTC");
    type.addValueChangeListener(e -> show());
    type.setValue(ScheduleType.MANUAL);
    setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    add(type, every, unit, cron, zone);
    show();
  }

  private void show() {
    boolean interval = type.getValue() == ScheduleType.INTERVAL;
    boolean isCron = type.getValue() == ScheduleType.CRON;
    every.setVisible(interval);
    unit.setVisible(interval);
    cron.setVisible(isCron);
    zone.setVisible(isCron);
  }

  void setValue(Schedule s) {
    type.setValue(s.type());
    if (s.type() == ScheduleType.INTERVAL) {
      Duration d = Duration.parse(s.every());
      if (d.toDays() > 0 && d.toHours() % 24 == 0) {
        every.setValue((int) d.toDays());
        unit.setValue("days");
      } else if (d.toHours() > 0 && d.toMinutes() % 60 == 0) {
        every.setValue((int) d.toHours());
        unit.setValue("hours");
      } else {
        every.setValue((int) d.toMinutes());
        unit.setValue("minutes");
      }
    }
    if (s.type() == ScheduleType.CRON) {
      cron.setValue(s.expression());
      zone.setValue(s.timezone() == null ? "UTC" : s.timezone());
    }
  }

  boolean isRealtime() {
    return type.getValue() == ScheduleType.REALTIME;
  }

  /** The schedule as edited; the service checks it (an interval of at least a minute, ...). */
  Schedule value() {
    return switch (type.getValue()) {
      case INTERVAL -> {
        int n = every.getValue() == null ? 0 : every.getValue();
        Duration d =
            switch (unit.getValue()) {
              case "minutes" -> Duration.ofMinutes(n);
              case "days" -> Duration.ofDays(n);
              default -> Duration.ofHours(n);
            };
        yield new Schedule(ScheduleType.INTERVAL, d.toString(), null, null);
      }
      case CRON ->
          new Schedule(ScheduleType.CRON, null, cron.getValue().strip(), zone.getValue().strip());
      case MANUAL, REALTIME -> new Schedule(type.getValue(), null, null, null);
    };
  }

  Map<String, HasValidation> fields() {
    return Map.of(
        "$.schedule.type", type,
        "$.schedule.every", every,
        "$.schedule.expression", cron,
        "$.schedule.timezone", zone);
  }
}
