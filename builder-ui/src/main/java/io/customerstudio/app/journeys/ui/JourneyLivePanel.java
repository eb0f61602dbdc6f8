package io.customerstudio.app.journeys.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.H5;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.journeys.JourneyInsights;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The side panel of the live view: for the node clicked, who is there now (since when, on which
 * version; a page at a time), a person's path, and by node type the failed sends to retry (send) or
 * the holdout log (split). With no node selected: look a person up.
 */
final class JourneyLivePanel extends VerticalLayout {

  static final int PAGE = 50;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  /** Queues a journey's rejected sends again: (journey, node) → how many. */
  interface Retry {
    int failed(String journey, String node);
  }

  final Grid<JourneyInsights.PersonAtNode> people = new Grid<>();
  final Grid<JourneyInsights.Send> failed = new Grid<>();
  private final List<JourneyInsights.PersonAtNode> shown = new ArrayList<>();
  private final Button more = new Button("Load more");
  private final String key;
  private final String node;
  private final JourneyInsights insights;

  JourneyLivePanel(
      String key, String node, ObjectNode definition, JourneyInsights insights, Retry retry) {
    this.key = key;
    this.node = node;
    this.insights = insights;
    setId("live-panel");
    setPadding(false);
    TextField person = new TextField("Find a person's path");
    person.setId("live-person");
    person.setPlaceholder("person key");
    Button find = new Button("Show path", VaadinIcon.SEARCH.create());
    find.setId("live-person-find");
    find.addClickListener(
        e -> {
          if (!person.getValue().isBlank()) {
            openPath(person.getValue().trim());
          }
        });
    HorizontalLayout lookup = new HorizontalLayout(person, find);
    lookup.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    ObjectNode def =
        node == null || JourneyGraph.ENTRY.equals(node) || definition == null
            ? null
            : JourneyGraph.node(definition, node);
    if (def == null) {
      add(
          new H4("Live"),
          new Paragraph("Click a node to see who is there now; counts refresh every few seconds."),
          lookup);
      return;
    }
    String type = JourneyGraph.type(def);
    add(new H4(JourneyGraph.TYPES.getOrDefault(type, type) + " · " + node), lookup);

    add(new H5("Here now"));
    people.setId("live-people");
    people
        .addColumn(JourneyInsights.PersonAtNode::personKey)
        .setHeader("Person")
        .setAutoWidth(true);
    people.addColumn(p -> time(p.since())).setHeader("Since").setAutoWidth(true);
    people.addColumn(p -> "v" + p.version()).setHeader("Version").setAutoWidth(true);
    people.setAllRowsVisible(true);
    people.addItemClickListener(e -> openPath(e.getItem().personKey()));
    more.setId("live-people-more");
    more.addClickListener(e -> page());
    add(people, more);
    page();

    if ("send".equals(type)) {
      add(new H5("Failed sends"));
      failed.setId("live-failed");
      failed.addColumn(JourneyInsights.Send::personKey).setHeader("Person").setAutoWidth(true);
      failed.addColumn(JourneyInsights.Send::reason).setHeader("Reason").setFlexGrow(2);
      failed.addColumn(s -> time(s.sentAt())).setHeader("At").setAutoWidth(true);
      failed.setAllRowsVisible(true);
      failed.addItemClickListener(e -> openPath(e.getItem().personKey()));
      Button again = new Button("Retry failed sends", VaadinIcon.REFRESH.create());
      again.setId("live-retry");
      again.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
      again.addClickListener(
          e ->
              Notifications.attempt(() -> retry.failed(key, node))
                  .ifPresent(
                      n -> {
                        Notifications.success(
                            n == 0 ? "Nothing to retry" : n + " sends queued again under new keys");
                        failed();
                      }));
      add(
          new Paragraph(
              "Rows the destination rejected, with its reason. Retrying sends them again (once"
                  + " each, under a new key, through consent and rules again), like replaying a"
                  + " sync run."),
          failed,
          again);
      failed();
    }
    if ("split".equals(type)) {
      add(new H5("Holdout log"));
      add(new JourneyHoldoutLog(insights, key, node));
      Anchor full =
          new Anchor("journeys/" + key + "/holdouts?node=" + node, "Open the holdout log");
      full.setId("live-holdouts-open");
      add(full);
    }
  }

  /**
   * Reads again who is at the node (as many rows as shown, at least a page) and the rejected sends;
   * the live view calls it with every refresh of the counts.
   */
  void refresh() {
    if (node == null || !people.isVisible() || people.getParent().isEmpty()) {
      return;
    }
    int rows = Math.max(PAGE, shown.size());
    List<JourneyInsights.PersonAtNode> now =
        insights.atNode(key, node, Math.min(rows, JourneyInsights.MAX_LIMIT), null);
    shown.clear();
    shown.addAll(now);
    people.setItems(shown);
    more.setVisible(now.size() == rows);
    if (failed.getParent().isPresent()) {
      failed();
    }
  }

  private void page() {
    String after = shown.isEmpty() ? null : shown.get(shown.size() - 1).personKey();
    List<JourneyInsights.PersonAtNode> next = insights.atNode(key, node, PAGE, after);
    shown.addAll(next);
    people.setItems(shown);
    people.setEmptyStateText("Nobody is at this node now");
    more.setVisible(next.size() == PAGE);
  }

  private void failed() {
    failed.setItems(insights.sends(key, node, "rejected", JourneyInsights.MAX_LIMIT, null));
    failed.setEmptyStateText("No rejected sends");
  }

  private void openPath(String personKey) {
    Notifications.attempt(() -> insights.path(key, personKey))
        .ifPresent(paths -> new PathDialog(key, personKey, paths).open());
  }

  static String time(OffsetDateTime t) {
    return t == null ? "" : t.format(TIME);
  }

  /** A person's path through the journey, entry by entry, step by step with times and reasons. */
  static final class PathDialog extends Dialog {
    PathDialog(String key, String personKey, List<JourneyInsights.PersonPath> paths) {
      setId("path-dialog");
      setHeaderTitle("Person " + personKey + " in " + key);
      setWidth("760px");
      if (paths.isEmpty()) {
        add(new Paragraph("This person has never entered the journey."));
      }
      for (JourneyInsights.PersonPath p : paths) {
        String status =
            p.exitedAt() != null
                ? "left "
                    + time(p.exitedAt())
                    + (p.exitReason() == null ? "" : " (" + p.exitReason() + ")")
                : "now at " + p.node();
        add(
            new H5(
                "Entry "
                    + p.entry()
                    + " · version "
                    + p.version()
                    + " · entered "
                    + time(p.enteredAt())
                    + " · "
                    + status));
        Grid<JourneyInsights.PathStep> steps = new Grid<>();
        steps.addClassName("path-steps");
        steps.addColumn(JourneyInsights.PathStep::node).setHeader("Node").setAutoWidth(true);
        steps.addColumn(s -> time(s.at())).setHeader("At").setAutoWidth(true);
        steps.addColumn(JourneyInsights.PathStep::outcome).setHeader("Why").setFlexGrow(2);
        steps
            .addColumn(s -> s.next() == null ? "out" : s.next())
            .setHeader("Then")
            .setAutoWidth(true);
        steps.setItems(p.steps());
        steps.setAllRowsVisible(true);
        add(steps);
      }
      Button close = new Button("Close", e -> close());
      close.setId("path-close");
      getFooter().add(close);
    }
  }
}
