package io.customerstudio.app.syncs.ui;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.activities.sync.Schedule;
import java.time.Duration;
import java.util.Map;

/** Manual, every N minutes/hours/days, cron with a time zone, or real time. */
final class ScheduleEditor extends HorizontalLayout {
  private final Select<String> type = new Select<>();
  private final IntegerField every = new IntegerField("Every");
  private final Select<String> unit = new Select<>();
  private final TextField cron = new TextField("Cron (min hour day month weekday)");
  private final TextField zone = new TextField("Time zone");

  ScheduleEditor() {
    setId("sync-schedule");
    type.setLabel("Runs");
    type.setId("sync-schedule-type");
    type.setItems("manual", "interval", "cron", "realtime");
    type.setItemLabelGenerator(
        t ->
            switch (t) {
              case "interval" -> "On an interval";
              case "cron" -> "On a cron schedule";
              case "realtime" -> "In real time (webhook or API trigger)";
              default -> "Manually";
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
    type.setValue("manual");
    setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    add(type, every, unit, cron, zone);
    show();
  }

  private void show() {
    boolean interval = "interval".equals(type.getValue());
    boolean isCron = "cron".equals(type.getValue());
    every.setVisible(interval);
    unit.setVisible(interval);
    cron.setVisible(isCron);
    zone.setVisible(isCron);
  }

  void setValue(Schedule s) {
    type.setValue(s.type());
    if ("interval".equals(s.type())) {
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
    if ("cron".equals(s.type())) {
      cron.setValue(s.expression());
      zone.setValue(s.timezone() == null ? "UTC" : s.timezone());
    }
  }

  boolean isRealtime() {
    return "realtime".equals(type.getValue());
  }

  ObjectNode json() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("type", type.getValue());
    if ("interval".equals(type.getValue())) {
      int n = every.getValue() == null ? 0 : every.getValue();
      Duration d =
          switch (unit.getValue()) {
            case "minutes" -> Duration.ofMinutes(n);
            case "days" -> Duration.ofDays(n);
            default -> Duration.ofHours(n);
          };
      o.put("every", d.toString());
    }
    if ("cron".equals(type.getValue())) {
      o.put("expression", cron.getValue().strip());
      o.put("timezone", zone.getValue().strip());
    }
    return o;
  }

  Map<String, HasValidation> fields() {
    return Map.of(
        "$.schedule.type", type,
        "$.schedule.every", every,
        "$.schedule.expression", cron,
        "$.schedule.timezone", zone);
  }
}
