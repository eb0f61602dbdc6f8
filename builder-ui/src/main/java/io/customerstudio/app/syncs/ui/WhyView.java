package io.customerstudio.app.syncs.ui;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.QueryParameters;
import com.vaadin.flow.router.Route;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.security.Roles;
import io.customerstudio.app.syncs.SyncDefinitions;
import io.customerstudio.app.syncs.SyncRuns;
import jakarta.annotation.security.RolesAllowed;
import java.util.List;

/**
 * Why a member was sent or not, by each sync of an audience: reached from a member's profile
 * ({@code why?audience=vip&member=42}), or with {@code sync=} for one sync. The answer is {@link
 * WhyDialog}'s, in the page.
 */
@Route("why")
@PageTitle("Why · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class WhyView extends VerticalLayout implements BeforeEnterObserver {

  private final SyncDefinitions syncs;
  private final SyncRuns runs;
  private final H2 title = new H2();
  private final Select<String> sync = new Select<>();
  private final Div answer = new Div();
  private String member;

  public WhyView(SyncDefinitions syncs, SyncRuns runs) {
    this.syncs = syncs;
    this.runs = runs;
    title.setId("why-page-title");
    sync.setId("why-sync");
    sync.setLabel("Sync");
    sync.addValueChangeListener(e -> show());
    answer.setId("why-answer");
    add(title, sync, answer);
  }

  /** The page's address for a member of an audience (and optionally one of its syncs). */
  public static QueryParameters params(String audience, String member, String sync) {
    return new QueryParameters(
        sync == null
            ? java.util.Map.of("audience", List.of(audience), "member", List.of(member))
            : java.util.Map.of("sync", List.of(sync), "member", List.of(member)));
  }

  @Override
  public void beforeEnter(BeforeEnterEvent event) {
    var q = event.getLocation().getQueryParameters();
    member = q.getSingleParameter("member").orElse("");
    String audience = q.getSingleParameter("audience").orElse(null);
    String only = q.getSingleParameter("sync").orElse(null);
    title.setText("Why was " + member + " sent or not?");
    List<String> keys =
        Notifications.attempt(() -> syncs.list()).orElse(List.of()).stream()
            .filter(s -> only == null ? s.audience().equals(audience) : s.key().equals(only))
            .map(SyncDefinitions.SyncView::key)
            .toList();
    answer.removeAll();
    if (keys.isEmpty()) {
      sync.setVisible(false);
      answer.add(
          new Paragraph(
              audience == null
                  ? "No such sync."
                  : "No sync delivers audience " + audience + " yet: nobody is sent."));
      return;
    }
    sync.setVisible(true);
    sync.setItems(keys);
    sync.setValue(keys.get(0));
  }

  private void show() {
    answer.removeAll();
    if (sync.getValue() == null || member == null) {
      return;
    }
    Notifications.attempt(() -> runs.why(sync.getValue(), member))
        .ifPresent(a -> answer.add(WhyDialog.body(a)));
  }
}
