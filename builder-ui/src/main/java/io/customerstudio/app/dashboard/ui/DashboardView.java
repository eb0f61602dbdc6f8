package io.customerstudio.app.dashboard.ui;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.app.dashboard.DashboardService;
import io.customerstudio.app.security.Roles;
import jakarta.annotation.security.PermitAll;
import java.util.Locale;
import java.util.Map;

/**
 * Home: is everything connected, what data is there, what is set up. Every figure is live. Where
 * the connections point (database paths, hosts and ports) is for admins, who run the app; others
 * see whether each one works.
 */
@Route("")
@Menu(title = "Dashboard", order = 0, icon = "vaadin:dashboard")
@PageTitle("Dashboard · Customer Studio")
@PermitAll
public class DashboardView extends VerticalLayout {

  public DashboardView(DashboardService dashboard, AuthenticationContext auth) {
    boolean admin = auth.hasRole(Roles.ADMIN);
    DashboardService.DashboardStatus status = dashboard.status();
    add(new H2("Dashboard"));

    Div cards = new Div();
    cards.addClassName("cards");
    for (DashboardService.ConnectionStatus c : status.connections()) {
      Div card = card(c.name(), c.status(), c.up());
      card.setId("connection-" + c.name().toLowerCase(Locale.ROOT).replace(' ', '-'));
      Paragraph about =
          new Paragraph(
              admin
                  ? c.description()
                  : c.up() ? "Connected." : "Not reachable: tell an admin, who can see why here.");
      about.addClassName("connection-about");
      card.add(about);
      if (c.name().equals("Temporal")) {
        DashboardService.RoundTrip rt = status.temporalRoundTrip();
        Span trip =
            new Span(
                rt.ok()
                    ? "Worker round trip: " + rt.millis() + " ms"
                    : "Worker round trip failed" + (admin ? ": " + rt.error() : "."));
        trip.setId("temporal-round-trip");
        card.add(trip);
      }
      cards.add(card);
    }
    add(cards);

    DashboardService.WorkspaceFigures w = status.workspace();
    Div workspace =
        card(
            "Workspace",
            w.schemaVersion() == null ? "NO SCHEMA" : "schema v" + w.schemaVersion(),
            w.schemaVersion() != null);
    workspace.setId("workspace");
    Div figures =
        new Div(
            figure("models", w.models(), "Models"),
            figure("relationships", w.relationships(), "Relationships"),
            figure("traits", w.traits(), "Traits"),
            figure("audiences", w.audiences(), "Audiences"));
    figures.addClassName("figures");
    workspace.add(figures);
    if (w.schemaVersion() == null) {
      workspace.add(
          new Paragraph(
              "No warehouse schema is registered yet. An admin describes the warehouse's models once; then audiences can be built on them."));
    }

    DashboardService.DemoFigures demo = status.demo();
    Div data =
        card("Demo warehouse", demo == null ? "NONE" : "schema " + demo.schema(), demo != null);
    data.setId("demo-data");
    if (demo == null) {
      data.add(
          new Paragraph(
              admin
                  ? "No demo data was generated: the warehouse is your own. Set STUDIO_DEMO_DATA=true to generate it."
                  : "No demo data: the warehouse is your company's own."));
    } else {
      Grid<Map.Entry<String, Long>> grid = new Grid<>();
      grid.setId("demo-row-counts");
      grid.addColumn(Map.Entry::getKey).setHeader("Table");
      grid.addColumn(e -> String.format(Locale.ROOT, "%,d", e.getValue()))
          .setHeader("Rows")
          .setTextAlign(com.vaadin.flow.component.grid.ColumnTextAlign.END);
      grid.setItems(demo.rowCounts().entrySet());
      grid.setAllRowsVisible(true);
      grid.setWidthFull();
      data.add(
          grid,
          new Paragraph(
              String.format(
                  Locale.ROOT,
                  "Seed %d, %,d users, anchored at %s; generated in %.1f s.",
                  demo.seed(),
                  demo.users(),
                  demo.anchor().toLocalDate(),
                  demo.generationMillis() / 1000.0)));
    }
    cards.add(workspace, data);
  }

  private static Div card(String title, String status, boolean good) {
    Span badge = new Span(status);
    badge.getElement().getThemeList().add(good ? "badge success" : "badge error");
    Div header = new Div(new H3(title), badge);
    header.addClassName("card-header");
    Div card = new Div(header);
    card.addClassName("card");
    return card;
  }

  private static Component figure(String id, long value, String label) {
    Div number = new Div(String.valueOf(value));
    number.setId("figure-" + id);
    number.addClassName("figure-value");
    return new Div(number, new Div(label));
  }
}
