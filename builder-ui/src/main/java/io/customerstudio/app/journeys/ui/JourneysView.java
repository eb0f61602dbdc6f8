package io.customerstudio.app.journeys.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
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
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.journeys.JourneyDefinitions;
import io.customerstudio.app.journeys.JourneyInsights;
import io.customerstudio.app.security.Roles;
import io.customerstudio.infra.store.JourneyStore.State;
import jakarta.annotation.security.RolesAllowed;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The journeys: each one's state, live version, people inside now and entries so far; for the
 * selected one, its counts per node (people there now, arrivals, departures by edge) and the pause,
 * resume and stop buttons its state allows (stop, being final, asks first).
 */
@Route("journeys")
@Menu(title = "Journeys", order = 240, icon = "vaadin:road-branches")
@PageTitle("Journeys · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class JourneysView extends VerticalLayout {

  /** A row of the list: the journey and its totals. */
  public record Row(JourneyDefinitions.Summary journey, JourneyInsights.Totals totals) {}

  private final JourneyDefinitions definitions;
  private final JourneyInsights insights;
  private final String user;
  private final Grid<Row> grid = new Grid<>();
  private final Paragraph empty = new Paragraph();
  private final VerticalLayout detail = new VerticalLayout();
  private final H3 title = new H3();
  private final Span summary = new Span();
  private final Grid<JourneyInsights.NodeStats> nodes = new Grid<>();
  private final JourneyLifecycle lifecycle;
  private final Button open = new Button("Open canvas", VaadinIcon.CONNECT.create());
  private final Button create = new Button("New journey", VaadinIcon.PLUS.create());
  private String selected;

  public JourneysView(
      JourneyDefinitions definitions, JourneyInsights insights, AuthenticationContext auth) {
    this.definitions = definitions;
    this.insights = insights;
    this.user = auth.getPrincipalName().orElse("unknown");

    grid.setId("journeys");
    grid.addColumn(r -> r.journey().name()).setHeader("Name").setFlexGrow(2);
    grid.addColumn(r -> r.journey().key()).setHeader("Key");
    grid.addColumn(r -> r.journey().state().wire()).setHeader("State").setKey("state");
    grid.addColumn(r -> version(r.journey().liveVersion())).setHeader("Live version");
    grid.addColumn(r -> r.totals().inside()).setHeader("Inside now").setKey("inside");
    grid.addColumn(r -> r.totals().entered()).setHeader("Entered").setKey("entered");
    grid.setAllRowsVisible(true);
    grid.asSingleSelect()
        .addValueChangeListener(
            e -> {
              if (e.getValue() != null) {
                show(e.getValue().journey().key());
              }
            });
    empty.setId("journeys-empty");
    empty.setText(
        "No journeys yet. A journey moves each person who enters it, by an event or by joining an"
            + " audience, through waits, branches, splits and sends.");

    nodes.setId("journey-nodes");
    nodes.addColumn(JourneyInsights.NodeStats::id).setHeader("Node").setKey("node");
    nodes.addColumn(n -> n.type() == null ? "(no longer defined)" : n.type()).setHeader("Type");
    nodes.addColumn(JourneyInsights.NodeStats::current).setHeader("Now").setKey("current");
    nodes.addColumn(JourneyInsights.NodeStats::entered).setHeader("Entered").setKey("entered");
    nodes.addColumn(n -> left(n.left())).setHeader("Left, by edge").setKey("left").setFlexGrow(3);
    nodes.setAllRowsVisible(true);

    lifecycle = new JourneyLifecycle(definitions, user, () -> selected, this::refresh);
    open.setId("journey-open");
    open.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    open.addClickListener(e -> JourneyEditorView.open(selected));
    grid.addItemDoubleClickListener(e -> JourneyEditorView.open(e.getItem().journey().key()));
    create.setId("journey-new");
    create.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    create.addClickListener(e -> new NewJourneyDialog(definitions, user).open());
    summary.setId("journey-summary");
    HorizontalLayout actions = new HorizontalLayout(open, lifecycle);
    HorizontalLayout head = new HorizontalLayout(title, actions);
    head.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    detail.setId("journey-detail");
    detail.setPadding(false);
    detail.add(head, summary, nodes);
    detail.setVisible(false);

    HorizontalLayout top = new HorizontalLayout(new H2("Journeys"), create);
    top.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    add(top, empty, grid, detail);
    refresh();
  }

  /** Departures by edge, e.g. {@code send-email 12 · exit:holdout 3}; a dash when none. */
  static String left(Map<String, Long> left) {
    return left.isEmpty()
        ? "–"
        : left.entrySet().stream()
            .map(e -> e.getKey() + " " + e.getValue())
            .collect(Collectors.joining(" · "));
  }

  private static String version(Integer v) {
    return v == null ? "–" : "v" + v;
  }

  private void show(String key) {
    selected = key;
    JourneyDefinitions.Detail journey;
    JourneyInsights.Stats stats;
    try {
      journey = definitions.find(key);
      stats = insights.stats(key, null);
    } catch (RuntimeException e) {
      Notifications.error(e.getMessage());
      detail.setVisible(false);
      return;
    }
    State state = journey.state();
    title.setText(journey.name() + " (" + state.wire() + ")");
    summary.setText(
        "Live version "
            + version(stats.version())
            + " · "
            + stats.entered()
            + " entered over every version · "
            + stats.unknownPeople()
            + " events of unknown people");
    nodes.setItems(stats.nodes());
    lifecycle.show(state);
    detail.setVisible(true);
  }

  private void refresh() {
    Map<String, JourneyInsights.Totals> totals = insights.totals();
    List<Row> rows =
        definitions.list().stream()
            .map(j -> new Row(j, totals.getOrDefault(j.key(), JourneyInsights.Totals.NONE)))
            .toList();
    grid.setItems(rows);
    empty.setVisible(rows.isEmpty());
    if (selected != null) {
      show(selected);
    }
  }
}
