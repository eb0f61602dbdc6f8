package io.customerstudio.app.syncs.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.destinations.DestinationService;
import io.customerstudio.app.security.Roles;
import io.customerstudio.app.syncs.SyncDefinitions;
import io.customerstudio.app.syncs.SyncRuns;
import jakarta.annotation.security.RolesAllowed;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Syncs: the list with each sync's audience and destination (by name), schedule, last run and an
 * enable switch, and per sync Run now, a dry run ({@link DryRunDialog}), its runs, and its editor
 * ({@link SyncDialog}, with {@link MappingEditor} and {@link ScheduleEditor}).
 */
@Route("syncs")
@Menu(title = "Syncs", order = 250, icon = "vaadin:exchange")
@PageTitle("Syncs · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class SyncsView extends VerticalLayout {

  private final SyncDefinitions syncs;
  private final SyncRuns runs;
  private final AudienceService audiences;
  private final DestinationService destinations;
  private final String user;
  private final Grid<SyncDefinitions.SyncView> grid = new Grid<>();
  private final Paragraph empty = new Paragraph();
  private Map<String, String> audienceNames = Map.of();
  private Map<String, String> destinationNames = Map.of();

  public SyncsView(
      SyncDefinitions syncs,
      SyncRuns runs,
      AudienceService audiences,
      DestinationService destinations,
      AuthenticationContext auth) {
    this.syncs = syncs;
    this.runs = runs;
    this.audiences = audiences;
    this.destinations = destinations;
    this.user = auth.getPrincipalName().orElse("unknown");
    setSizeFull();
    Button add = new Button("New sync", VaadinIcon.PLUS.create(), e -> open(null));
    add.setId("new-sync");
    add.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    HorizontalLayout top = new HorizontalLayout(new H2("Syncs"), add);
    top.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    grid.setId("syncs");
    // text columns share the room and show their whole value on hover; short ones fit theirs
    grid.addColumn(SyncDefinitions.SyncView::name)
        .setHeader("Name")
        .setFlexGrow(2)
        .setTooltipGenerator(SyncDefinitions.SyncView::name);
    grid.addColumn(this::route)
        .setHeader("Audience → destination")
        .setFlexGrow(2)
        .setTooltipGenerator(s -> s.audience() + " → " + s.destination());
    grid.addColumn(s -> s.mode().wire()).setHeader("Mode").setAutoWidth(true).setFlexGrow(0);
    grid.addColumn(SyncDefinitions.SyncView::scheduleText)
        .setHeader("Schedule")
        .setFlexGrow(2)
        .setTooltipGenerator(SyncDefinitions.SyncView::scheduleText);
    grid.addComponentColumn(
            s -> {
              Checkbox on = new Checkbox(s.enabled());
              on.setId("sync-enabled-" + s.key());
              on.setAriaLabel("Enabled");
              on.addValueChangeListener(
                  e -> {
                    if (e.isFromClient()) {
                      syncs.setEnabled(s.key(), e.getValue(), user);
                      Notifications.success(
                          (e.getValue() ? "Enabled " : "Disabled ") + "sync '" + s.name() + "'.");
                      refresh();
                    }
                  });
              return on;
            })
        .setHeader("Enabled")
        .setAutoWidth(true)
        .setFlexGrow(0);
    grid.addComponentColumn(
            s ->
                s.lastRun() == null
                    ? new Span("never run")
                    : RunBadges.status(s.lastRun().status()))
        .setHeader("Last run")
        .setAutoWidth(true)
        .setFlexGrow(0);
    grid.addComponentColumn(this::actions).setKey("actions").setAutoWidth(true).setFlexGrow(0);
    empty.setId("syncs-empty");
    add(top, empty, grid);
    refresh();
  }

  private HorizontalLayout actions(SyncDefinitions.SyncView s) {
    Button run = new Button("Run now", VaadinIcon.PLAY.create(), e -> runNow(s));
    run.setId("sync-run-" + s.key());
    run.setEnabled(s.enabled());
    run.addThemeVariants(ButtonVariant.LUMO_SMALL);
    Button dry = new Button("Dry run", e -> dryRun(s));
    dry.setId("sync-dry-run-" + s.key());
    dry.addThemeVariants(ButtonVariant.LUMO_SMALL);
    Button history =
        new Button(
            "Runs",
            e ->
                getUI()
                    .ifPresent(
                        ui -> ui.navigate(SyncRunsView.class, SyncRunsView.params(s.key()))));
    history.setId("sync-runs-" + s.key());
    history.addThemeVariants(ButtonVariant.LUMO_SMALL, ButtonVariant.LUMO_TERTIARY);
    Button edit = new Button("Edit", e -> open(s));
    edit.setId("sync-edit-" + s.key());
    edit.addThemeVariants(ButtonVariant.LUMO_SMALL, ButtonVariant.LUMO_TERTIARY);
    return new HorizontalLayout(run, dry, history, edit);
  }

  /** "Loyal members → CRM webhook": names, as people know them (the keys are in the tooltip). */
  private String route(SyncDefinitions.SyncView s) {
    return audienceNames.getOrDefault(s.audience(), s.audience())
        + " → "
        + destinationNames.getOrDefault(s.destination(), s.destination());
  }

  void refresh() {
    audienceNames = audienceNames();
    destinationNames = destinationNames();
    var all = syncs.list();
    grid.setItems(all);
    empty.setText(
        "No syncs yet. A sync sends an audience's members to a destination: only what changed"
            + " since the last run moves.");
    empty.setVisible(all.isEmpty());
  }

  /** Saved audiences, key to name, by name. */
  private Map<String, String> audienceNames() {
    Map<String, String> names = new LinkedHashMap<>();
    audiences.list(null).stream()
        .sorted(Comparator.comparing(AudienceService.AudienceView::name))
        .forEach(a -> names.put(a.key(), a.name()));
    return names;
  }

  /** Destinations, key to name, by name. */
  private Map<String, String> destinationNames() {
    Map<String, String> names = new LinkedHashMap<>();
    destinations.list().stream()
        .sorted(Comparator.comparing(DestinationService.DestinationView::name))
        .forEach(d -> names.put(d.key(), d.name()));
    return names;
  }

  private void runNow(SyncDefinitions.SyncView s) {
    Notifications.attempt(() -> runs.run(s.key(), "manual"))
        .ifPresent(
            e -> {
              Notifications.success(
                  e.coalesced() ? "A run was already queued; this joins it." : "Run queued.");
              getUI()
                  .ifPresent(
                      ui -> ui.navigate(RunDetailView.class, RunDetailView.params(e.runId())));
            });
  }

  private void dryRun(SyncDefinitions.SyncView s) {
    new DryRunDialog(runs, s).open();
  }

  private void open(SyncDefinitions.SyncView current) {
    new SyncDialog(syncs, audienceNames(), destinationNames(), user, current, this::refresh).open();
  }
}
