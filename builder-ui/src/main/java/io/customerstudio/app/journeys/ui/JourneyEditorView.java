package io.customerstudio.app.journeys.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.AttachEvent;
import com.vaadin.flow.component.DetachEvent;
import com.vaadin.flow.component.Key;
import com.vaadin.flow.component.KeyModifier;
import com.vaadin.flow.component.Shortcuts;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.tabs.Tab;
import com.vaadin.flow.component.tabs.Tabs;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.shared.Registration;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.conditions.ConditionSources;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.app.events.EventService;
import io.customerstudio.app.journeys.JourneyDefinitions;
import io.customerstudio.app.journeys.JourneyDefinitions.Position;
import io.customerstudio.app.journeys.JourneyInsights;
import io.customerstudio.app.journeys.JourneySendRetries;
import io.customerstudio.app.journeys.JourneySimulations;
import io.customerstudio.app.journeys.ui.JourneyCanvas.Action;
import io.customerstudio.app.journeys.ui.JourneyGraph.Counts;
import io.customerstudio.app.journeys.ui.JourneyGraph.Mode;
import io.customerstudio.app.security.Roles;
import io.customerstudio.infra.store.JourneyStore.State;
import io.customerstudio.query.Problem;
import io.customerstudio.query.ValidationException;
import jakarta.annotation.security.RolesAllowed;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The journey canvas: design a journey's draft (palette, edges drawn by dragging, a side panel per
 * node, problems on the nodes they concern, undo and redo, auto-layout; every edit saved at once),
 * simulate it on real data before publishing, publish it (asking whether people in flight move),
 * and watch it live (counts on every node and edge, who is at a node, a person's path, failed sends
 * to retry, the holdout log of each split).
 */
@Route("journeys/:key")
@PageTitle("Journey · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class JourneyEditorView extends VerticalLayout implements BeforeEnterObserver {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
  static final int LIVE_POLL_MILLIS = 2000;

  /** One state to undo to: the document and where its nodes are drawn. */
  private record Snapshot(String document, Map<String, Position> layout) {}

  private final JourneyDefinitions definitions;
  private final JourneyInsights insights;
  private final JourneySimulations simulations;
  private final JourneyLivePanel.Retry retry;
  private final NodePanel.Choices choices;
  private final String user;

  private final H2 title = new H2();
  private final Span state = new Span();
  private final Span saved = new Span();
  private final Tab designTab = new Tab("Design");
  private final Tab liveTab = new Tab("Live");
  private final Tabs tabs = new Tabs(designTab, liveTab);
  private final JourneyCanvas canvas = new JourneyCanvas();
  private final Div side = new Div();
  private final Div problemsSummary = new Div();
  private final Button undo = new Button("Undo", VaadinIcon.ARROW_BACKWARD.create());
  private final Button redo = new Button("Redo", VaadinIcon.ARROW_FORWARD.create());
  private final Button autoLayout = new Button("Auto-layout", VaadinIcon.SITEMAP.create());
  private final Button simulate = new Button("Simulate…", VaadinIcon.FLASK.create());
  private final Button clearSimulation =
      new Button("Back to design", VaadinIcon.CLOSE_SMALL.create());
  private final Button versions = new Button("Versions…", VaadinIcon.TIME_BACKWARD.create());
  private final Button publish = new Button("Publish…", VaadinIcon.UPLOAD.create());
  private final JourneyLifecycle lifecycle;
  private final HorizontalLayout designBar;
  private final HorizontalLayout liveBar;
  private final Span liveSummary = new Span();

  private String key;
  private JourneyDefinitions.Detail journey;
  private ObjectNode draft;
  private Map<String, Position> layout = new LinkedHashMap<>();
  private String current;
  private final Deque<Snapshot> undos = new ArrayDeque<>();
  private final Deque<Snapshot> redos = new ArrayDeque<>();
  private String selected;
  private Map<String, List<Problem>> problems = new HashMap<>();
  private NodePanel panel;
  private JourneyLivePanel livePanel;
  private Mode mode = Mode.DESIGN;
  private Counts counts = Counts.NONE;
  private ObjectNode liveDocument;
  private JourneySimulations.Result simulation;
  private Registration poll;

  public JourneyEditorView(
      JourneyDefinitions definitions,
      JourneyInsights insights,
      JourneySimulations simulations,
      JourneySendRetries retries,
      ConditionSources sources,
      EventService events,
      AuthenticationContext auth) {
    this.definitions = definitions;
    this.insights = insights;
    this.simulations = simulations;
    this.user = auth.getPrincipalName().orElse("unknown");
    this.retry = (k, n) -> retries.retryFailed(k, n, null, user);
    Set<String> types = new TreeSet<>();
    Set<String> properties = new TreeSet<>();
    for (EventService.EventView e : events.recent(0, 500)) {
      types.add(e.type());
      try {
        JSON.readTree(e.properties() == null ? "{}" : e.properties())
            .fieldNames()
            .forEachRemaining(properties::add);
      } catch (com.fasterxml.jackson.core.JsonProcessingException ignored) {
        // a stored event's properties are JSON the app wrote
      }
    }
    this.choices =
        new NodePanel.Choices(
            sources,
            definitions.destinationKeys(),
            new ArrayList<>(types),
            new ArrayList<>(properties));

    setSizeFull();
    addClassName("journey-editor");
    title.setId("journey-title");
    state.setId("journey-state");
    state.getElement().getThemeList().add("badge");
    saved.setId("journey-saved");
    saved.addClassName("journey-saved");
    HorizontalLayout head = new HorizontalLayout(title, state, saved);
    head.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    tabs.setId("journey-tabs");
    tabs.addSelectedChangeListener(
        e -> showMode(e.getSelectedTab() == liveTab ? Mode.LIVE : Mode.DESIGN));

    undo.setId("journey-undo");
    undo.setTooltipText("Undo (Ctrl+Z)");
    undo.addClickListener(e -> undo());
    redo.setId("journey-redo");
    redo.setTooltipText("Redo (Ctrl+Shift+Z or Ctrl+Y)");
    redo.addClickListener(e -> redo());
    autoLayout.setId("journey-auto-layout");
    autoLayout.addClickListener(e -> autoLayout());
    simulate.setId("journey-simulate");
    simulate.addClickListener(
        e -> new SimulationDialog(key, choices, simulations, user, this::showSimulation).open());
    clearSimulation.setId("journey-clear-simulation");
    clearSimulation.setVisible(false);
    clearSimulation.addClickListener(e -> showSimulation(null));
    versions.setId("journey-versions");
    versions.addClickListener(e -> new VersionsDialog(definitions, key).open());
    publish.setId("journey-publish");
    publish.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    publish.addClickListener(e -> openPublish());
    Span keys =
        new Span("Delete removes the selection · drag the background to pan · scroll to zoom");
    keys.addClassName("journey-keys");
    designBar =
        new HorizontalLayout(
            undo, redo, autoLayout, simulate, clearSimulation, versions, publish, keys);
    designBar.setId("journey-design-bar");
    designBar.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);

    lifecycle =
        new JourneyLifecycle(
            definitions,
            user,
            () -> key,
            () -> {
              journey = definitions.find(key);
              header();
              refreshLive();
            });
    liveSummary.setId("journey-live-summary");
    liveBar = new HorizontalLayout(lifecycle, liveSummary);
    liveBar.setId("journey-live-bar");
    liveBar.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    liveBar.setVisible(false);

    problemsSummary.setId("journey-problems");
    problemsSummary.addClassName("journey-problems");
    canvas.setId("journey-canvas");
    canvas.setSizeFull();
    side.setId("journey-side");
    side.addClassName("journey-side");
    side.setWidth("440px");
    side.getStyle().set("overflow", "auto").set("flex-shrink", "0").set("height", "100%");
    HorizontalLayout body = new HorizontalLayout(canvas, side);
    body.setSizeFull();
    body.setFlexGrow(1, canvas);
    body.getStyle().set("height", "max(640px, calc(100vh - 250px))").set("flex-shrink", "0");

    add(head, tabs, designBar, liveBar, problemsSummary, body);
    setFlexGrow(1, body);

    canvas.on(Action.SELECT, d -> select(d.path("id").isNull() ? null : d.path("id").asText(null)));
    canvas.on(Action.MOVE, this::moved);
    canvas.on(
        Action.CONNECT,
        d ->
            connect(
                d.path("source").asText(), d.path("handle").asText(), d.path("target").asText()));
    canvas.on(Action.DELETE, this::deleted);
    canvas.on(
        Action.ADD,
        d -> add(d.path("type").asText(), d.path("x").asDouble(), d.path("y").asDouble()));
    Shortcuts.addShortcutListener(this, this::undo, Key.KEY_Z, KeyModifier.CONTROL)
        .listenOn(canvas);
    Shortcuts.addShortcutListener(
            this, this::redo, Key.KEY_Z, KeyModifier.CONTROL, KeyModifier.SHIFT)
        .listenOn(canvas);
    Shortcuts.addShortcutListener(this, this::redo, Key.KEY_Y, KeyModifier.CONTROL)
        .listenOn(canvas);
  }

  @Override
  public void beforeEnter(BeforeEnterEvent event) {
    String k = event.getRouteParameters().get("key").orElse(null);
    try {
      load(k);
    } catch (NotFoundException e) {
      Notifications.error(e.getMessage());
      event.forwardTo(JourneysView.class);
      return;
    }
    boolean live =
        event
            .getLocation()
            .getQueryParameters()
            .getSingleParameter("view")
            .map("live"::equals)
            .orElse(false);
    if (live && journey.liveVersion() != null) {
      tabs.setSelectedTab(liveTab);
    }
  }

  @Override
  protected void onAttach(AttachEvent event) {
    poll =
        event
            .getUI()
            .addPollListener(
                e -> {
                  try {
                    refreshLive();
                  } catch (NotFoundException gone) {
                    // deleted elsewhere while this page was open
                    Notifications.error(gone.getMessage());
                    e.getSource().navigate(JourneysView.class);
                  }
                });
    event.getUI().setPollInterval(LIVE_POLL_MILLIS);
  }

  @Override
  protected void onDetach(DetachEvent event) {
    if (poll != null) {
      poll.remove();
    }
    event.getUI().setPollInterval(-1);
  }

  // ------------------------------------------------------------------ loading and saving

  void load(String key) {
    this.key = key;
    journey = definitions.find(key);
    draft = (ObjectNode) journey.draft().deepCopy();
    layout = new LinkedHashMap<>(definitions.layout(key));
    current = draft.toString();
    undos.clear();
    redos.clear();
    selected = null;
    header();
    liveTab.setEnabled(journey.liveVersion() != null);
    validate();
    render();
    showPanel();
  }

  private void header() {
    title.setText(journey.name());
    State s = journey.state();
    state.setText(s.wire() + (journey.liveVersion() == null ? "" : " · v" + journey.liveVersion()));
    state.getElement().getThemeList().set("success", s == State.LIVE);
    state.getElement().getThemeList().set("contrast", s == State.PAUSED || s == State.STOPPED);
    lifecycle.show(s);
    boolean editable = s != State.STOPPED;
    publish.setEnabled(editable);
    undo.setEnabled(editable && !undos.isEmpty());
    redo.setEnabled(editable && !redos.isEmpty());
  }

  /** After every edit: keeps the state before it for undo, saves the draft, checks it again. */
  void changed() {
    String text = draft.toString();
    if (text.equals(current)) {
      return;
    }
    undos.push(new Snapshot(current, new LinkedHashMap<>(layout)));
    redos.clear();
    current = text;
    save();
  }

  private boolean stopped() {
    return journey != null && journey.state() == State.STOPPED;
  }

  private void save() {
    // another tab or the API changed the draft since this page read it: keep theirs, say so
    JourneyDefinitions.Detail stored = definitions.find(key);
    if (!java.util.Objects.equals(stored.updatedAt(), journey.updatedAt())) {
      Notifications.error(
          "The draft was changed elsewhere by "
              + stored.updatedBy()
              + " since this page opened it; it is shown as it is now (this edit was not saved)");
      load(key);
      return;
    }
    try {
      journey = definitions.update(key, draft.deepCopy(), user);
      saved.setText("Draft saved " + LocalTime.now().format(CLOCK));
      saved.getElement().getThemeList().remove("error");
      validate();
    } catch (ValidationException e) {
      saved.setText("Not saved: " + e.problems().size() + " problem(s) to fix first");
      saved.getElement().getThemeList().add("error");
      showProblems(e.problems());
    } catch (RuntimeException e) {
      saved.setText("Not saved");
      Notifications.error(e.getMessage());
    }
    header();
    render();
    if (panel != null) {
      panel.showProblems(problems.getOrDefault(panel.nodeId(), List.of()));
    }
  }

  private void validate() {
    showProblems(definitions.validate(key));
  }

  private void showProblems(List<Problem> list) {
    problems = new HashMap<>();
    for (Problem p : list) {
      problems.computeIfAbsent(JourneyGraph.nodeOf(draft, p.path()), n -> new ArrayList<>()).add(p);
    }
    problemsSummary.removeAll();
    if (list.isEmpty()) {
      Span ok = new Span("Ready to publish: no problems");
      ok.getElement().getThemeList().add("badge success");
      problemsSummary.add(ok);
    } else {
      Span count =
          new Span(
              list.size() + (list.size() == 1 ? " problem" : " problems") + " before publish:");
      count.getElement().getThemeList().add("badge error");
      problemsSummary.add(count);
      for (Problem p : list) {
        String node = JourneyGraph.nodeOf(draft, p.path());
        Button go =
            new Button(
                (JourneyGraph.ENTRY.equals(node) ? "entry" : node) + ": " + p.message(),
                e -> select(node));
        go.addThemeVariants(ButtonVariant.LUMO_TERTIARY_INLINE, ButtonVariant.LUMO_SMALL);
        go.addClassName("journey-problem");
        problemsSummary.add(go);
      }
    }
  }

  // ------------------------------------------------------------------ canvas

  private void render() {
    Map<String, List<String>> messages = new HashMap<>();
    if (mode == Mode.DESIGN) {
      problems.forEach((n, ps) -> messages.put(n, ps.stream().map(Problem::message).toList()));
    }
    ObjectNode shown = mode == Mode.LIVE && liveDocument != null ? liveDocument : draft;
    // a stopped journey is final: its draft is shown, not edited
    Mode drawn = mode == Mode.DESIGN && stopped() ? Mode.VIEW : mode;
    canvas.show(JourneyGraph.render(shown, layout, drawn, selected, messages, counts));
  }

  void select(String id) {
    selected = id;
    render();
    showPanel();
  }

  private void moved(JsonNode positions) {
    boolean placedBefore = true;
    Map<String, Position> before = new LinkedHashMap<>(layout);
    for (Iterator<Map.Entry<String, JsonNode>> it = positions.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      placedBefore &= layout.containsKey(e.getKey());
      layout.put(
          e.getKey(),
          new Position(e.getValue().path("x").asDouble(), e.getValue().path("y").asDouble()));
    }
    if (placedBefore && positions.size() > 0 && editable()) {
      undos.push(new Snapshot(current, before));
      redos.clear();
    }
    definitions.saveLayout(key, layout);
    // the canvas has drawn these already; sending them back keeps its last graph true, so an undo
    // to the positions before a drag (or a second auto-layout) differs from it and is drawn
    render();
    header();
  }

  /** Edits come only from the designer of a journey that is not stopped. */
  private boolean editable() {
    return mode == Mode.DESIGN && !stopped();
  }

  void connect(String source, String handle, String target) {
    if (editable() && JourneyGraph.connect(draft, source, handle, target)) {
      changed();
    }
  }

  private void deleted(JsonNode what) {
    if (!editable()) {
      render();
      return;
    }
    Set<String> nodes = new LinkedHashSet<>();
    what.path("nodes").forEach(n -> nodes.add(n.asText()));
    nodes.remove(JourneyGraph.ENTRY);
    boolean any = JourneyGraph.delete(draft, nodes);
    for (JsonNode e : what.path("edges")) {
      any |= JourneyGraph.disconnect(draft, e.path("source").asText(), e.path("handle").asText());
    }
    if (nodes.contains(selected)) {
      selected = null;
      showPanel();
    }
    if (any) {
      changed();
    } else {
      render();
    }
    // after changed(): the state it keeps for undo has the deleted nodes where they were drawn
    if (!nodes.isEmpty()) {
      nodes.forEach(layout::remove);
      definitions.saveLayout(key, layout);
    }
  }

  /** Adds a node of this type where it was dropped, and selects it. */
  void add(String type, double x, double y) {
    if (!editable() || !JourneyGraph.TYPES.containsKey(type)) {
      return;
    }
    String destination = choices.destinations().isEmpty() ? null : choices.destinations().get(0);
    ObjectNode node = JourneyGraph.add(draft, type, destination);
    String id = node.get("id").asText();
    layout.put(id, new Position(x, y));
    definitions.saveLayout(key, layout);
    selected = id;
    changed();
    showPanel();
  }

  void undo() {
    step(undos, redos);
  }

  void redo() {
    step(redos, undos);
  }

  private void step(Deque<Snapshot> from, Deque<Snapshot> to) {
    if (from.isEmpty() || mode != Mode.DESIGN) {
      return;
    }
    to.push(new Snapshot(current, new LinkedHashMap<>(layout)));
    Snapshot s = from.pop();
    try {
      draft = (ObjectNode) JSON.readTree(s.document());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("an undo state is JSON this view wrote", e);
    }
    layout = new LinkedHashMap<>(s.layout());
    current = s.document();
    definitions.saveLayout(key, layout);
    if (selected != null
        && JourneyGraph.node(draft, selected) == null
        && !JourneyGraph.ENTRY.equals(selected)) {
      selected = null;
    }
    save();
    showPanel();
  }

  private void autoLayout() {
    undos.push(new Snapshot(current, new LinkedHashMap<>(layout)));
    redos.clear();
    layout.clear();
    definitions.saveLayout(key, layout);
    render();
    header();
  }

  // ------------------------------------------------------------------ side panel

  private void showPanel() {
    side.removeAll();
    panel = null;
    livePanel = null;
    if (mode == Mode.LIVE) {
      livePanel = new JourneyLivePanel(key, selected, liveDocument, insights, retry);
      side.add(livePanel);
      return;
    }
    if (mode == Mode.SIMULATION && simulation != null) {
      side.add(SimulationDialog.summary(simulation));
    }
    ObjectNode node =
        selected == null || JourneyGraph.ENTRY.equals(selected)
            ? null
            : JourneyGraph.node(draft, selected);
    if (selected != null && node == null && !JourneyGraph.ENTRY.equals(selected)) {
      selected = null;
    }
    panel = new NodePanel(draft, node, choices, this::changed, this::showPanel);
    panel.setEnabled(!stopped());
    panel.showProblems(problems.getOrDefault(panel.nodeId(), List.of()));
    side.add(panel);
  }

  /** The panel shown now (for tests). */
  NodePanel panel() {
    return panel;
  }

  JourneyCanvas canvas() {
    return canvas;
  }

  ObjectNode draft() {
    return draft;
  }

  // ------------------------------------------------------------------ modes

  private void showMode(Mode m) {
    mode = m;
    simulation = null;
    counts = Counts.NONE;
    designBar.setVisible(m != Mode.LIVE);
    liveBar.setVisible(m == Mode.LIVE);
    problemsSummary.setVisible(m == Mode.DESIGN);
    clearSimulation.setVisible(false);
    if (m == Mode.LIVE) {
      liveDocument = liveDefinition();
      refreshLive();
    } else {
      render();
    }
    showPanel();
  }

  private ObjectNode liveDefinition() {
    if (journey.liveVersion() == null) {
      return null;
    }
    JsonNode d = definitions.version(key, journey.liveVersion()).definition();
    return d instanceof ObjectNode o ? o : null;
  }

  /** Reads the live counts again (every {@link #LIVE_POLL_MILLIS} while the live view shows). */
  void refreshLive() {
    if (mode != Mode.LIVE || key == null) {
      return;
    }
    JourneyInsights.Stats stats = insights.stats(key, null);
    Map<String, long[]> nodes = new HashMap<>();
    Map<String, Long> edges = new HashMap<>();
    long inside = 0;
    for (JourneyInsights.NodeStats n : stats.nodes()) {
      nodes.put(n.id(), new long[] {n.current(), n.entered()});
      inside += n.current();
      n.left().forEach((to, c) -> edges.merge(n.id() + ":" + to, c, Long::sum));
    }
    nodes.put(JourneyGraph.ENTRY, new long[] {inside, stats.entered()});
    if (liveDocument != null && liveDocument.hasNonNull("start")) {
      edges.put(JourneyGraph.ENTRY + ":" + liveDocument.get("start").asText(), stats.entered());
    }
    counts = new Counts(nodes, edges);
    if (livePanel != null) {
      livePanel.refresh();
    }
    liveSummary.setText(
        inside
            + " inside now · "
            + stats.entered()
            + " entered · "
            + stats.unknownPeople()
            + " events of unknown people");
    render();
  }

  /** Shows a simulation's expected counts on the canvas (null: back to designing). */
  void showSimulation(JourneySimulations.Result result) {
    simulation = result;
    if (result == null) {
      mode = Mode.DESIGN;
      counts = Counts.NONE;
      clearSimulation.setVisible(false);
    } else {
      mode = Mode.SIMULATION;
      Map<String, long[]> nodes = new HashMap<>();
      Map<String, Long> edges = new HashMap<>();
      long inside = 0;
      for (var n : result.nodes()) {
        nodes.put(n.id(), new long[] {n.current(), n.entered()});
        inside += n.current();
      }
      result.edges().forEach(e -> edges.merge(e.from() + ":" + e.to(), e.people(), Long::sum));
      nodes.put(JourneyGraph.ENTRY, new long[] {inside, result.entered()});
      if (draft.hasNonNull("start")) {
        edges.put(JourneyGraph.ENTRY + ":" + draft.get("start").asText(), result.entered());
      }
      counts = new Counts(nodes, edges);
      clearSimulation.setVisible(true);
    }
    render();
    showPanel();
  }

  private void openPublish() {
    if (!problems.isEmpty()) {
      Notifications.error(
          "Fix the problems first: "
              + problems.values().stream().mapToInt(List::size).sum()
              + " left (listed above the canvas)");
      return;
    }
    new PublishDialog(
            journey,
            migrate ->
                Notifications.attempt(() -> definitions.publish(key, migrate, user))
                    .ifPresent(
                        p -> {
                          Notifications.success(
                              "Published version "
                                  + p.version()
                                  + " ("
                                  + p.stateName()
                                  + ")"
                                  + (migrate ? "; " + p.migrated() + " people moved to it" : ""));
                          load(key);
                        }))
        .open();
  }

  /** The current UI's navigation to a journey's canvas. */
  static void open(String key) {
    UI.getCurrent().navigate("journeys/" + key);
  }
}
