package io.customerstudio.app.journeys.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.datetimepicker.DateTimePicker;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.radiobutton.RadioButtonGroup;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.conditions.ConditionSources;
import io.customerstudio.app.journeys.JourneySimulations;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.function.Consumer;

/**
 * A what-if run of the draft before anything is published: over an audience's members, a sync
 * snapshot's, or (for an audience-entry journey) the entry audience as of a past time, for a
 * horizon on a virtual clock. Nothing is sent; the canvas then shows the expected counts, marked as
 * a simulation.
 */
final class SimulationDialog extends Dialog {

  static final String AUDIENCE = "audience";
  static final String SNAPSHOT = "snapshot";
  static final String AS_OF = "asOf";
  private static final ObjectMapper JSON = new ObjectMapper();

  final RadioButtonGroup<String> people = new RadioButtonGroup<>("People");
  final ComboBox<String> audience = new ComboBox<>("Audience");
  final IntegerField snapshot = new IntegerField("Snapshot id");
  final DateTimePicker asOf = new DateTimePicker("As of (UTC)");
  final IntegerField horizon = new IntegerField("Horizon");
  final Select<Durations.Unit> unit = new Select<>();

  SimulationDialog(
      String key,
      NodePanel.Choices choices,
      JourneySimulations simulations,
      String user,
      Consumer<JourneySimulations.Result> show) {
    setId("simulation-dialog");
    setHeaderTitle("Simulate the draft");
    setWidth("560px");
    add(
        new Paragraph(
            "Runs the draft on real data on a virtual clock and shows the expected counts on the"
                + " canvas. Nothing is sent and nobody enters the journey."));
    people.setId("simulation-people");
    people.setItems(AUDIENCE, SNAPSHOT, AS_OF);
    people.setItemLabelGenerator(
        p ->
            switch (p) {
              case AUDIENCE -> "An audience's members";
              case SNAPSHOT -> "A sync snapshot's members";
              default -> "The entry audience as of a past time";
            });
    people.setValue(AUDIENCE);
    audience.setId("simulation-audience");
    audience.setItems(
        choices.sources().audiences().stream().map(ConditionSources.AudienceChoice::key).toList());
    snapshot.setId("simulation-snapshot");
    asOf.setId("simulation-as-of");
    horizon.setId("simulation-horizon");
    horizon.setValue(14);
    horizon.setMin(1);
    unit.setId("simulation-horizon-unit");
    unit.setAriaLabel("Horizon unit");
    unit.setItems(Durations.Unit.values());
    unit.setItemLabelGenerator(Durations.Unit::label);
    unit.setValue(Durations.Unit.DAYS);
    Runnable visibility =
        () -> {
          audience.setVisible(AUDIENCE.equals(people.getValue()));
          snapshot.setVisible(SNAPSHOT.equals(people.getValue()));
          asOf.setVisible(AS_OF.equals(people.getValue()));
        };
    people.addValueChangeListener(e -> visibility.run());
    visibility.run();
    HorizontalLayout h = new HorizontalLayout(horizon, unit);
    h.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    add(people, audience, snapshot, asOf, h);
    Button run = new Button("Simulate");
    run.setId("simulation-run");
    run.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    run.addClickListener(
        e ->
            Notifications.attempt(() -> simulations.simulate(key, body(), user))
                .ifPresent(
                    r -> {
                      close();
                      show.accept(r);
                    }));
    getFooter().add(new Button("Cancel", e -> close()), run);
  }

  /** The request of {@code POST /api/v1/journeys/{key}/simulate} for the choices made. */
  ObjectNode body() {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode p = body.putObject("people");
    switch (people.getValue()) {
      case AUDIENCE -> p.put("audience", audience.getValue() == null ? "" : audience.getValue());
      case SNAPSHOT -> {
        if (snapshot.getValue() != null) {
          p.put("snapshot", snapshot.getValue());
        } else {
          p.put("snapshot", "");
        }
      }
      default ->
          p.put(
              "asOf",
              asOf.getValue() == null ? "" : asOf.getValue().toInstant(ZoneOffset.UTC).toString());
    }
    if (horizon.getValue() != null) {
      body.put("horizon", unit.getValue().iso(horizon.getValue()));
    }
    return body;
  }

  /** What a simulation expects, beside the canvas. */
  static Component summary(JourneySimulations.Result r) {
    Div d = new Div();
    d.setId("simulation-summary");
    d.addClassName("simulation-summary");
    d.add(new H4("Simulation (nothing was sent)"));
    d.add(
        new Paragraph(
            r.entered()
                + " people enter between "
                + r.from()
                    .truncatedTo(ChronoUnit.SECONDS)
                    .toString()
                    .replace('T', ' ')
                    .replace("Z", " UTC")
                + " and "
                + r.until()
                    .truncatedTo(ChronoUnit.SECONDS)
                    .toString()
                    .replace('T', ' ')
                    .replace("Z", " UTC")
                + (r.unknownPeople() > 0
                    ? "; " + r.unknownPeople() + " events of unknown people"
                    : "")));
    if (r.sends().isEmpty()) {
      d.add(new Paragraph("No sends expected."));
    } else {
      r.sends().forEach((dest, n) -> d.add(new Paragraph("Sends to " + dest + ": " + n)));
    }
    r.notSent().forEach((why, n) -> d.add(new Paragraph("Not sent (" + why + "): " + n)));
    return d;
  }
}
