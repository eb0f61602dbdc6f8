package io.customerstudio.app.journeys.ui;

import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.journeys.JourneyInsights;
import io.customerstudio.app.security.Roles;
import jakarta.annotation.security.RolesAllowed;

/**
 * A journey's holdout log on a page of its own ({@code journeys/<key>/holdouts?node=<split>}),
 * reached from a split node in the live view and from the audiences' holdout log page.
 */
@Route("journeys/:key/holdouts")
@PageTitle("Journey holdout log · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class JourneyHoldoutsView extends VerticalLayout implements BeforeEnterObserver {

  private final JourneyInsights insights;

  public JourneyHoldoutsView(JourneyInsights insights) {
    this.insights = insights;
    setId("journey-holdouts-view");
  }

  @Override
  public void beforeEnter(BeforeEnterEvent event) {
    removeAll();
    String key = event.getRouteParameters().get("key").orElse("");
    String node =
        event
            .getLocation()
            .getQueryParameters()
            .getSingleParameter("node")
            .filter(n -> !n.isBlank())
            .orElse(null);
    if (!Notifications.attempt(() -> insights.checkHoldouts(key, node))) {
      return;
    }
    add(
        new H2("Holdout log of journey " + key + (node == null ? "" : ", split " + node)),
        new Paragraph(
            "People a split sent to a holdout group: they left the journey there, so they can be"
                + " compared with the people who went on. Also in the warehouse table"
                + " journey_holdouts of the log schema, for analysis."),
        new JourneyHoldoutLog(insights, key, node),
        new Anchor("journeys/" + key + "?view=live", "Back to the journey"));
  }
}
