package io.customerstudio.app.events.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.customerstudio.app.base.ui.Times;
import io.customerstudio.app.events.EventService;
import io.customerstudio.app.security.Roles;
import jakarta.annotation.security.RolesAllowed;

/** The event stream, newest first, paged lazily from the store. */
@Route("admin/events")
@Menu(title = "Recent events", order = 931, icon = "vaadin:bolt")
@PageTitle("Recent events · Customer Studio")
@RolesAllowed(Roles.ADMIN)
public class RecentEventsView extends VerticalLayout {

  public RecentEventsView(EventService events) {
    Grid<EventService.EventView> grid = new Grid<>();
    grid.setId("recent-events");
    grid.addColumn(EventService.EventView::eventId).setHeader("Event id");
    grid.addColumn(EventService.EventView::personKey).setHeader("Person");
    grid.addColumn(EventService.EventView::type).setHeader("Type");
    grid.addColumn(e -> Times.second(e.occurredAt())).setHeader("Occurred");
    grid.addColumn(e -> Times.second(e.receivedAt())).setHeader("Received");
    grid.addColumn(e -> e.source() == null ? "API" : e.source()).setHeader("Source");
    grid.setItemDetailsRenderer(
        new com.vaadin.flow.data.renderer.TextRenderer<>(
            e -> e.properties() == null ? "no properties" : e.properties()));
    grid.setItems(query -> events.recent(query.getOffset(), query.getLimit()).stream());
    Button refresh =
        new Button(
            "Refresh", VaadinIcon.REFRESH.create(), e -> grid.getDataProvider().refreshAll());
    refresh.setId("recent-events-refresh");
    HorizontalLayout top = new HorizontalLayout(new H2("Recent events"), refresh);
    top.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    add(top, grid);
    setSizeFull();
    expand(grid);
  }
}
