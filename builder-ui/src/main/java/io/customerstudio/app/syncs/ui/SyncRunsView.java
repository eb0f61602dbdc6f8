package io.customerstudio.app.syncs.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.progressbar.ProgressBar;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.router.RouteParameters;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.app.security.Roles;
import io.customerstudio.app.syncs.SyncDefinitions;
import io.customerstudio.app.syncs.SyncRuns;
import io.customerstudio.infra.store.RunStatus;
import jakarta.annotation.security.RolesAllowed;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * A sync's runs, newest first, refreshed every second while the view is open: status, the phase
 * going on with a progress bar of delivered batches, counts and timings.
 */
@Route("syncs/:sync/runs")
@PageTitle("Runs · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class SyncRunsView extends VerticalLayout implements BeforeEnterObserver {

  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final SyncDefinitions syncs;
  private final SyncRuns runs;
  private final H2 title = new H2();
  private final Grid<SyncRuns.RunView> grid = new Grid<>();
  private final Paragraph empty = new Paragraph("No runs yet.");
  private String sync;

  public static RouteParameters params(String sync) {
    return new RouteParameters("sync", sync);
  }

  public SyncRunsView(SyncDefinitions syncs, SyncRuns runs) {
    this.syncs = syncs;
    this.runs = runs;
    setSizeFull();
    Button run = new Button("Run now", VaadinIcon.PLAY.create(), e -> runNow());
    run.setId("runs-run-now");
    run.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    Button back =
        new Button("All syncs", e -> getUI().ifPresent(ui -> ui.navigate(SyncsView.class)));
    back.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    HorizontalLayout top = new HorizontalLayout(title, run, back);
    top.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    grid.setId("runs");
    grid.addColumn(r -> r.queuedAt().format(TIME)).setHeader("Queued (UTC)").setAutoWidth(true);
    grid.addColumn(SyncRuns.RunView::trigger).setHeader("Trigger");
    grid.addComponentColumn(r -> RunBadges.status(r.status())).setHeader("Status");
    grid.addComponentColumn(SyncRunsView::progress).setHeader("Progress").setFlexGrow(2);
    grid.addColumn(r -> counts(r)).setHeader("Added · changed · removed").setAutoWidth(true);
    grid.addColumn(r -> r.counts().delivered() + " / " + r.counts().rejected())
        .setHeader("Delivered / rejected");
    grid.addColumn(r -> RunBadges.duration(r.startedAt(), r.finishedAt())).setHeader("Took");
    grid.addItemClickListener(
        e ->
            getUI()
                .ifPresent(
                    ui ->
                        ui.navigate(
                            RunDetailView.class, RunDetailView.params(e.getItem().runId()))));
    add(top, empty, grid);
    io.customerstudio.app.base.ui.Polling.every(this, 1000, this::refresh);
  }

  static String counts(SyncRuns.RunView r) {
    SyncRuns.Counts c = r.counts();
    return c.added() == null ? "" : c.added() + " · " + c.changed() + " · " + c.removed();
  }

  /** The current phase, and for delivery the share of batches done. */
  static HorizontalLayout progress(SyncRuns.RunView r) {
    ProgressBar bar = new ProgressBar();
    bar.setWidth("8em");
    String label;
    RunStatus status = RunStatus.of(r.status());
    if (!status.inFlight()) {
      bar.setValue(1);
      label = "done";
    } else if (status == RunStatus.DELIVERING && r.batches() != null && r.batches() > 0) {
      bar.setValue(r.batchesDelivered() / (double) r.batches());
      label = "delivering " + r.batchesDelivered() + " of " + r.batches() + " batches";
    } else {
      bar.setIndeterminate(status != RunStatus.QUEUED);
      label = r.status();
    }
    bar.getElement().setAttribute("data-run", r.runId());
    HorizontalLayout l = new HorizontalLayout(bar, new com.vaadin.flow.component.html.Span(label));
    l.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.CENTER);
    return l;
  }

  @Override
  public void beforeEnter(BeforeEnterEvent event) {
    sync = event.getRouteParameters().get("sync").orElse("");
    try {
      SyncDefinitions.SyncView s = syncs.get(sync);
      title.setText("Runs of " + s.name());
    } catch (NotFoundException e) {
      title.setText("No sync '" + sync + "'");
    }
    refresh();
  }

  void refresh() {
    if (sync == null) {
      return;
    }
    try {
      List<SyncRuns.RunView> list = runs.runs(sync, 100);
      grid.setItems(list);
      empty.setVisible(list.isEmpty());
    } catch (NotFoundException e) {
      grid.setItems(List.of());
    }
  }

  private void runNow() {
    if (Notifications.attempt(() -> runs.run(sync, "manual")).isPresent()) {
      refresh();
    }
  }
}
