package io.customerstudio.app.syncs.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.datetimepicker.DateTimePicker;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.streams.DownloadHandler;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.activities.sync.MembershipLog;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.base.ui.Named;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.security.Roles;
import io.customerstudio.app.syncs.Snapshots;
import jakarta.annotation.security.RolesAllowed;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An audience's membership over time: snapshots (taken here, or after every run of a sync that
 * keeps them) with CSV download, and who was a member at a chosen time, from the enter/exit log.
 */
@Route("snapshots")
@Menu(title = "Snapshots", order = 260, icon = "vaadin:camera")
@PageTitle("Snapshots · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class SnapshotsView extends VerticalLayout {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final Snapshots snapshotsService;
  private final String user;
  private final ComboBox<String> audience = new ComboBox<>("Audience");
  private final Grid<Snapshots.Snapshot> snapshots = new Grid<>();
  private final DateTimePicker at = new DateTimePicker("Members at (UTC)");
  private final Paragraph atCount = new Paragraph();
  private final Grid<MembershipLog.Membership> members = new Grid<>();

  public SnapshotsView(
      Snapshots snapshotsService, AudienceService audiences, AuthenticationContext auth) {
    this.snapshotsService = snapshotsService;
    this.user = auth.getPrincipalName().orElse("unknown");
    audience.setId("snapshot-audience");
    Map<String, String> names = new LinkedHashMap<>();
    audiences.list(null).stream()
        .sorted(Comparator.comparing(AudienceService.AudienceView::name))
        .forEach(a -> names.put(a.key(), a.name()));
    Named.picker(audience, names);
    audience.addValueChangeListener(e -> refresh());
    Button take = new Button("Take snapshot", VaadinIcon.CAMERA.create(), e -> take());
    take.setId("snapshot-take");
    take.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    HorizontalLayout top = new HorizontalLayout(new H2("Snapshots"), audience, take);
    top.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);

    snapshots.setId("snapshots");
    snapshots.addColumn(s -> s.takenAt().format(TIME)).setHeader("Taken (UTC)").setAutoWidth(true);
    snapshots.addColumn(s -> String.format("%,d", s.members())).setHeader("Members");
    snapshots.addColumn(Snapshots.Snapshot::audienceVersion).setHeader("Definition version");
    snapshots
        .addColumn(s -> s.runId() == null ? s.takenBy() : "run " + s.runId())
        .setHeader("By")
        .setFlexGrow(2);
    snapshots.addComponentColumn(this::download).setHeader("CSV");
    snapshots.setAllRowsVisible(true);

    at.setId("membership-at");
    at.setValue(LocalDateTime.now(ZoneOffset.UTC).withNano(0));
    Button show = new Button("Show members", e -> showMembers());
    show.setId("membership-show");
    HorizontalLayout when = new HorizontalLayout(at, show);
    when.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    atCount.setId("membership-count");
    members.setId("membership");
    members.addColumn(MembershipLog.Membership::member).setHeader("Member");
    members
        .addColumn(m -> TIME.format(m.since().atOffset(ZoneOffset.UTC)))
        .setHeader("Member since");
    members.addColumn(MembershipLog.Membership::version).setHeader("Admitted by version");
    members.addColumn(m -> m.runId() == null ? "snapshot" : m.runId()).setHeader("Run");
    members.setHeight("360px");
    add(
        top,
        new Paragraph(
            "A snapshot keeps the members of an audience at one moment. Every run and snapshot"
                + " also logs who entered and left, so membership at any time can be answered."),
        snapshots,
        new H4("Who was a member at a time"),
        when,
        atCount,
        members);
  }

  private Anchor download(Snapshots.Snapshot s) {
    DownloadHandler csv =
        event -> {
          event.setFileName(s.audience() + "-snapshot-" + s.id() + ".csv");
          event.setContentType("text/csv");
          try (BufferedWriter w =
              new BufferedWriter(
                  new OutputStreamWriter(event.getOutputStream(), StandardCharsets.UTF_8))) {
            snapshotsService.writeCsv(s.id(), w);
          }
        };
    Anchor a = new Anchor(csv, "Download");
    a.setId("snapshot-download-" + s.id());
    return a;
  }

  private void refresh() {
    snapshots.setItems(
        audience.getValue() == null ? List.of() : snapshotsService.list(audience.getValue()));
    members.setItems(List.of());
    atCount.setText("");
  }

  private void take() {
    if (audience.getValue() == null) {
      audience.setInvalid(true);
      audience.setErrorMessage("Pick an audience");
      return;
    }
    Notifications.attempt(() -> snapshotsService.take(audience.getValue(), user))
        .ifPresent(
            s -> {
              Notifications.success(String.format("Snapshot of %,d members taken.", s.members()));
              refresh();
            });
  }

  private void showMembers() {
    if (audience.getValue() == null || at.getValue() == null) {
      return;
    }
    // the picker shows whole seconds: a time means through the end of that second, so what
    // happened within the second shown (a run that just started) is included
    Instant through =
        at.getValue()
            .truncatedTo(ChronoUnit.SECONDS)
            .toInstant(ZoneOffset.UTC)
            .plusSeconds(1)
            .minus(1, ChronoUnit.MICROS);
    Snapshots.Membership m = snapshotsService.membership(audience.getValue(), through, 0, 1000);
    atCount.setText(
        String.format(
            "%,d members at %s UTC%s.",
            m.members(),
            TIME.format(at.getValue()),
            m.members() > m.page().size() ? " (the first " + m.page().size() + " shown)" : ""));
    members.setItems(m.page());
  }
}
