package io.customerstudio.app.syncs.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
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
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * One run: status and error, counts, a timeline of its phases, the rows the destination rejected,
 * and Replay (failed or interrupted, newest run only) and Cancel (queued or working); the run's
 * holdout log is a click away. Refreshes every second while it is in flight.
 */
@Route("runs/:runId")
@PageTitle("Run · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class RunDetailView extends VerticalLayout implements BeforeEnterObserver {

  private final SyncDefinitions syncs;
  private final SyncRuns runs;
  private final H2 title = new H2();
  private final Span titleKey = new Span();
  private final HorizontalLayout status = new HorizontalLayout();
  private final Paragraph error = new Paragraph();
  private final HorizontalLayout counts = new HorizontalLayout();
  private final Div timeline = new Div();
  private final Grid<SyncRuns.RowError> errors = new Grid<>();
  private final Paragraph noErrors = new Paragraph("None: the destination accepted every row.");
  private final Button replay = new Button("Replay", VaadinIcon.REFRESH.create());
  private final Button cancel = new Button("Cancel run", VaadinIcon.STOP.create());
  private final Button allRuns = new Button("All runs of this sync");
  private final Button holdouts = new Button("Holdout log");
  private final HorizontalLayout excludedCounts = new HorizontalLayout();
  private final com.vaadin.flow.component.select.Select<String> reason =
      new com.vaadin.flow.component.select.Select<>();
  private final Grid<SyncRuns.Exclusion> exclusions = new Grid<>();
  private final Button moreExclusions = new Button("Show more");
  private final List<SyncRuns.Exclusion> excludedRows = new java.util.ArrayList<>();
  private String excludedLoadedFor;
  private String runId;
  private String sync;
  private String syncName;

  public static RouteParameters params(String runId) {
    return new RouteParameters("runId", runId);
  }

  public RunDetailView(SyncDefinitions syncs, SyncRuns runs) {
    this.syncs = syncs;
    this.runs = runs;
    replay.setId("run-replay");
    replay.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    replay.addClickListener(e -> act(() -> runs.replay(runId), "Replay queued."));
    cancel.setId("run-cancel");
    cancel.addThemeVariants(ButtonVariant.LUMO_ERROR);
    cancel.addClickListener(e -> act(() -> runs.cancel(runId), "Cancelling."));
    allRuns.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    allRuns.addClickListener(
        e -> getUI().ifPresent(ui -> ui.navigate(SyncRunsView.class, SyncRunsView.params(sync))));
    holdouts.setId("run-holdouts");
    holdouts.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    holdouts.addClickListener(
        e ->
            getUI()
                .ifPresent(
                    ui ->
                        ui.navigate(
                            io.customerstudio.app.splits.ui.HoldoutLogView.class,
                            com.vaadin.flow.router.QueryParameters.of("run", runId))));
    title.setId("run-title");
    titleKey.setId("run-sync-key");
    titleKey.addClassName("secondary-key");
    titleKey.getStyle().set("color", "var(--lumo-secondary-text-color)");
    status.setId("run-status");
    status.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    error.setId("run-error");
    error.getStyle().set("color", "var(--lumo-error-text-color)");
    counts.setId("run-counts");
    timeline.setId("run-timeline");
    timeline.setWidthFull();
    errors.setId("run-errors");
    errors.addColumn(SyncRuns.RowError::key).setHeader("Key").setAutoWidth(true);
    errors.addColumn(SyncRuns.RowError::reason).setHeader("Reason").setFlexGrow(3);
    errors.setAllRowsVisible(true);
    excludedCounts.setId("run-excluded");
    reason.setId("run-exclusion-reason");
    reason.setLabel("Reason");
    reason.setItems(
        "all", "subset", "consent", "rule", "priority", "split", "holdout", "identifier");
    reason.setValue("all");
    reason.addValueChangeListener(e -> reloadExclusions());
    exclusions.setId("run-exclusions");
    exclusions.addColumn(SyncRuns.Exclusion::key).setHeader("Member").setAutoWidth(true);
    exclusions.addColumn(SyncRuns.Exclusion::reason).setHeader("First reason").setAutoWidth(true);
    exclusions.addColumn(SyncRuns.Exclusion::detail).setHeader("Detail").setFlexGrow(3);
    exclusions
        .addComponentColumn(
            x -> {
              Button why = new Button("Why", e -> WhyDialog.open(runs, sync, x.key()));
              why.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_SMALL);
              why.getElement().setAttribute("data-why", x.key());
              return why;
            })
        .setHeader("")
        .setKey("why")
        .setAutoWidth(true);
    exclusions.setAllRowsVisible(true);
    moreExclusions.setId("run-exclusions-more");
    moreExclusions.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    moreExclusions.addClickListener(e -> loadExclusions());
    HorizontalLayout top = new HorizontalLayout(title, titleKey, replay, cancel, allRuns, holdouts);
    top.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    add(
        top,
        status,
        error,
        counts,
        new H4("Excluded"),
        excludedCounts,
        reason,
        exclusions,
        moreExclusions,
        new H4("Phases"),
        timeline,
        new H4("Rejected rows"),
        noErrors,
        errors);
    io.customerstudio.app.base.ui.Polling.every(this, 1000, this::refresh);
  }

  @Override
  public void beforeEnter(BeforeEnterEvent event) {
    runId = event.getRouteParameters().get("runId").orElse("");
    refresh();
  }

  private void act(Runnable action, String done) {
    if (Notifications.attempt(action)) {
      Notifications.success(done);
    }
    refresh();
  }

  void refresh() {
    SyncRuns.RunView r;
    try {
      r = runs.runView(runId);
    } catch (NotFoundException e) {
      title.setText("No run " + runId);
      titleKey.setText("");
      replay.setVisible(false);
      cancel.setVisible(false);
      return;
    }
    if (!r.sync().equals(sync)) {
      sync = r.sync();
      syncName = nameOf(sync);
    }
    // people know the sync by its name; the key (what the API and files use) follows
    title.setText("Run of " + syncName);
    titleKey.setText(syncName.equals(sync) ? "" : sync);
    status.removeAll();
    status.add(RunBadges.status(r.status()));
    boolean inFlight = RunStatus.of(r.status()).inFlight();
    if (inFlight) {
      status.add(SyncRunsView.progress(r));
    }
    status.add(
        new Span(
            "trigger: "
                + r.trigger()
                + (r.attempts() > 1 ? ", attempt " + r.attempts() : "")
                + (r.audienceVersion() == null
                    ? ""
                    : ", audience version " + r.audienceVersion())));
    error.setText(r.error() == null ? "" : r.error());
    error.setVisible(r.error() != null);
    counts.removeAll();
    SyncRuns.Counts c = r.counts();
    counts.add(
        figure("Members", c.members()),
        figure("Added", c.added()),
        figure("Changed", c.changed()),
        figure("Removed", c.removed()),
        figure("Unchanged", c.unchanged()),
        figure("Delivered", c.delivered()),
        figure("Rejected", c.rejected()));
    excludedCounts.removeAll();
    if (r.excluded() == null) {
      excludedCounts.add(new Span("Not yet governed."));
    } else {
      r.excluded().forEach((why, n) -> excludedCounts.add(figure(why, n)));
      if (!runId.equals(excludedLoadedFor)) {
        excludedLoadedFor = runId;
        reloadExclusions();
      }
    }
    timeline(r);
    List<SyncRuns.RowError> rejected = runs.errors(runId, 0, 500);
    errors.setItems(rejected);
    errors.setVisible(!rejected.isEmpty());
    noErrors.setVisible(rejected.isEmpty());
    replay.setVisible(true);
    replay.setEnabled(r.replayable());
    cancel.setEnabled(inFlight);
  }

  private void reloadExclusions() {
    excludedRows.clear();
    loadExclusions();
  }

  /** The next page of excluded members, by key, of the chosen reason. */
  private void loadExclusions() {
    String after = excludedRows.isEmpty() ? null : excludedRows.get(excludedRows.size() - 1).key();
    String chosen = "all".equals(reason.getValue()) ? null : reason.getValue();
    List<SyncRuns.Exclusion> page = runs.exclusions(runId, chosen, after, 100);
    excludedRows.addAll(page);
    exclusions.setItems(excludedRows);
    moreExclusions.setVisible(page.size() == 100);
  }

  private String nameOf(String key) {
    try {
      return syncs.get(key).name();
    } catch (NotFoundException gone) {
      return key;
    }
  }

  private static Div figure(String label, Long value) {
    Div d = new Div(new Span(label), new H2(value == null ? "–" : String.format("%,d", value)));
    d.getElement().setAttribute("data-figure", label.toLowerCase());
    d.getStyle().set("min-width", "7em");
    return d;
  }

  /** One bar per phase, its width in proportion to its share of the run's time. */
  private void timeline(SyncRuns.RunView r) {
    timeline.removeAll();
    if (r.phases().isEmpty()) {
      timeline.add(new Span("Not started."));
      return;
    }
    OffsetDateTime start = r.phases().get(0).startedAt();
    OffsetDateTime end =
        r.finishedAt() != null
            ? r.finishedAt()
            : r.phases().get(r.phases().size() - 1).finishedAt() != null
                ? r.phases().get(r.phases().size() - 1).finishedAt()
                : OffsetDateTime.now();
    double total = Math.max(1, Duration.between(start, end).toMillis());
    for (SyncRuns.Phase p : r.phases()) {
      OffsetDateTime to = p.finishedAt() == null ? end : p.finishedAt();
      double share = Duration.between(p.startedAt(), to).toMillis() / total;
      Div bar = new Div();
      bar.getStyle()
          .set("background", "var(--lumo-primary-color-50pct)")
          .set("height", "0.8em")
          .set("border-radius", "3px")
          .set(
              "margin-left",
              (Duration.between(start, p.startedAt()).toMillis() / total * 100) + "%")
          .set("width", Math.max(0.5, share * 100) + "%");
      Div row =
          new Div(
              new Span(p.phase() + " · " + RunBadges.duration(p.startedAt(), p.finishedAt())), bar);
      row.getElement().setAttribute("data-phase", p.phase());
      row.getStyle().set("margin-bottom", "0.4em");
      timeline.add(row);
    }
  }
}
