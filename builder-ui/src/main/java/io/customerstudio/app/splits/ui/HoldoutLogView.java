package io.customerstudio.app.splits.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.datetimepicker.DateTimePicker;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.streams.DownloadHandler;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.app.journeys.JourneyDefinitions;
import io.customerstudio.app.security.Roles;
import io.customerstudio.app.splits.HoldoutLog;
import io.customerstudio.app.splits.SplitService;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.governance.Split;
import jakarta.annotation.security.RolesAllowed;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The holdout log: the members held out of deliveries because their split group is a holdout, of
 * one audience (filters: sync, group, since) or of one run ({@code ?run=}), newest first for an
 * audience and by member key for a run, a page at a time ("Load more"), and the whole filtered log
 * as a CSV download. Opened from an audience's Splits tab ({@code ?audience=}) and a run's page.
 */
@Route("holdouts")
@Menu(title = "Holdout log", order = 270, icon = "vaadin:eye-slash")
@PageTitle("Holdout log · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class HoldoutLogView extends VerticalLayout implements BeforeEnterObserver {

  static final int PAGE = 100;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final HoldoutLog log;
  private final SplitService splits;
  private final H2 title = new H2("Holdout log");
  private final Paragraph about = new Paragraph();
  private final ComboBox<String> audience = new ComboBox<>("Audience");
  private final ComboBox<String> sync = new ComboBox<>("Sync");
  private final ComboBox<String> group = new ComboBox<>("Group");
  private final DateTimePicker since = new DateTimePicker("Logged since (UTC)");
  private final Grid<HoldoutLog.Entry> grid = new Grid<>();
  private final Button more = new Button("Load more");
  private final Anchor download;
  private final List<HoldoutLog.Entry> shown = new ArrayList<>();
  private String run;
  private final JourneyDefinitions journeys;
  private final Div journeyLogs = new Div();

  public HoldoutLogView(HoldoutLog log, SplitService splits, JourneyDefinitions journeys) {
    this.log = log;
    this.splits = splits;
    this.journeys = journeys;
    title.setId("holdouts-title");
    about.setId("holdouts-about");
    audience.setId("holdouts-audience");
    audience.setItems(log.audiences());
    sync.setId("holdouts-sync");
    sync.setClearButtonVisible(true);
    group.setId("holdouts-group");
    group.setClearButtonVisible(true);
    since.setId("holdouts-since");
    grid.setId("holdouts");
    grid.addColumn(HoldoutLog.Entry::memberKey).setHeader("Member").setAutoWidth(true);
    grid.addColumn(HoldoutLog.Entry::group).setHeader("Group").setAutoWidth(true);
    grid.addColumn(HoldoutLog.Entry::syncKey).setHeader("Sync").setAutoWidth(true);
    grid.addColumn(HoldoutLog.Entry::runId).setHeader("Run").setAutoWidth(true);
    grid.addColumn(e -> e.loggedAt() == null ? "" : TIME.format(e.loggedAt()))
        .setHeader("Logged (UTC)")
        .setAutoWidth(true);
    grid.setAllRowsVisible(true);
    more.setId("holdouts-more");
    more.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    more.addClickListener(e -> page());
    DownloadHandler csv =
        event -> {
          event.setFileName(
              (run != null ? "holdouts-run-" + run : "holdouts-" + audience.getValue()) + ".csv");
          event.setContentType("text/csv");
          try (BufferedWriter w =
              new BufferedWriter(
                  new OutputStreamWriter(event.getOutputStream(), StandardCharsets.UTF_8))) {
            if (run != null) {
              log.writeRunCsv(run, group.getValue(), w);
            } else {
              log.writeAudienceCsv(audience.getValue(), filter(), w);
            }
          }
        };
    download = new Anchor(csv, "Download CSV");
    download.setId("holdouts-download");
    audience.addValueChangeListener(
        e -> {
          if (e.isFromClient() && e.getValue() != null) {
            showAudience(e.getValue());
          }
        });
    sync.addValueChangeListener(e -> reloadIfUser(e.isFromClient()));
    group.addValueChangeListener(e -> reloadIfUser(e.isFromClient()));
    since.addValueChangeListener(e -> reloadIfUser(e.isFromClient()));
    HorizontalLayout filters = new HorizontalLayout(audience, sync, group, since, download);
    filters.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    journeyLogs.setId("holdouts-journeys");
    add(title, about, filters, grid, more, journeyLogs);
  }

  @Override
  public void beforeEnter(BeforeEnterEvent event) {
    showJourneyLogs();
    var params = event.getLocation().getQueryParameters().getParameters();
    List<String> runs = params.getOrDefault("run", List.of());
    List<String> audiences = params.getOrDefault("audience", List.of());
    // the view may be reused from a run's log to an audience's: start from the audience layout
    run = null;
    title.setText("Holdout log");
    audience.setVisible(true);
    sync.setVisible(true);
    since.setVisible(true);
    shown.clear();
    if (!runs.isEmpty()) {
      showRun(runs.get(0));
    } else if (!audiences.isEmpty()) {
      audience.setValue(audiences.get(0));
      showAudience(audiences.get(0));
    } else {
      about.setText(
          "Choose an audience: its holdout log lists the members its syncs kept back because"
              + " their split group is a holdout. Analysts find the same rows in the warehouse"
              + " table holdout_log.");
      grid.setItems(List.of());
      more.setVisible(false);
      download.setVisible(false);
    }
  }

  /** Journeys hold people out at their splits too: their logs are one click away. */
  private void showJourneyLogs() {
    journeyLogs.removeAll();
    List<JourneyDefinitions.HoldoutSplit> found = journeys.holdoutSplits();
    if (found.isEmpty()) {
      return;
    }
    journeyLogs.add(new H4("Journeys' holdout logs"));
    for (JourneyDefinitions.HoldoutSplit s : found) {
      Anchor a =
          new Anchor(
              "journeys/" + s.journey() + "/holdouts?node=" + s.node(),
              s.name() + " · split " + s.node());
      a.addClassName("journey-holdout-link");
      journeyLogs.add(new Div(a));
    }
  }

  private void showRun(String runId) {
    run = runId;
    title.setText("Holdout log of run " + runId);
    audience.setVisible(false);
    sync.setVisible(false);
    since.setVisible(false);
    group.setItems(List.of());
    about.setText("The members this run held out, by member key.");
    reload();
    shown.stream()
        .findFirst()
        .flatMap(e -> splits.split(e.audience()))
        .ifPresent(s -> group.setItems(s.names()));
  }

  private void showAudience(String key) {
    run = null;
    title.setText("Holdout log of " + key);
    sync.setItems(log.syncs(key));
    sync.clear();
    group.clear();
    group.setItems(splits.split(key).map(Split::names).orElse(List.of()));
    about.setText(
        splits
            .split(key)
            .map(
                s ->
                    "Held out: "
                        + s.groups().stream()
                            .filter(Split.Group::holdout)
                            .map(
                                g ->
                                    g.name()
                                        + " ("
                                        + g.percent().stripTrailingZeros().toPlainString()
                                        + "%)")
                            .toList()
                        + ". Newest first.")
            .orElse("This audience has no split now; earlier holdouts stay in the log."));
    reload();
  }

  private void reloadIfUser(boolean fromClient) {
    if (fromClient) {
      reload();
    }
  }

  private void reload() {
    shown.clear();
    download.setVisible(true);
    page();
  }

  /** Appends the next page: after the last member key (a run) or the last entry (an audience). */
  private void page() {
    try {
      List<HoldoutLog.Entry> next;
      HoldoutLog.Entry last = shown.isEmpty() ? null : shown.get(shown.size() - 1);
      if (run != null) {
        next = log.forRun(run, group.getValue(), PAGE, last == null ? null : last.memberKey());
      } else {
        next =
            log.forAudience(
                audience.getValue(), filter(), PAGE, last == null ? null : HoldoutLog.cursor(last));
      }
      shown.addAll(next);
      grid.setItems(shown);
      more.setVisible(next.size() == PAGE);
    } catch (NotFoundException | ValidationException e) {
      Notifications.error(e.getMessage());
      grid.setItems(List.of());
      more.setVisible(false);
      download.setVisible(false);
    }
  }

  private HoldoutLog.Filter filter() {
    return new HoldoutLog.Filter(
        group.getValue(),
        sync.getValue(),
        since.getValue() == null ? null : since.getValue().atOffset(ZoneOffset.UTC));
  }

  /** The entries on screen (for tests and the page's own paging). */
  List<HoldoutLog.Entry> shown() {
    return List.copyOf(shown);
  }
}
