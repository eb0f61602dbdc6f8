package io.customerstudio.app.syncs.ui;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import io.customerstudio.activities.sync.SyncEngine;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.base.ui.Times;
import io.customerstudio.app.syncs.SyncRuns;

/**
 * "Why was this person sent or not" by one sync (governance spec, section 7), as a dialog: the
 * result and reason of the sync's last governed run first, then each thing that decides it, in the
 * order runs apply them (membership and the audience's top-level conditions, subsets, consent per
 * purpose, the destination's rule, the priority list, the split), the last delivery, and what a run
 * starting now would decide.
 */
public final class WhyDialog extends Dialog {

  public WhyDialog(SyncRuns runs, String sync, String memberKey) {
    setId("why-dialog");
    setModal(true);
    setCloseOnEsc(true);
    setCloseOnOutsideClick(true);
    setWidth("40em");
    H3 title = new H3("Why " + memberKey + " by " + sync);
    title.setId("why-title");
    Button close = new Button(VaadinIcon.CLOSE.create(), e -> close());
    close.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    close.setAriaLabel("Close");
    getHeader().add(title, close);
    Notifications.attempt(() -> runs.why(sync, memberKey)).ifPresent(a -> add(body(a)));
  }

  /** Opens the answer for a member of a sync. */
  public static void open(SyncRuns runs, String sync, String memberKey) {
    new WhyDialog(runs, sync, memberKey).open();
  }

  static Component body(SyncEngine.WhyAnswer a) {
    Div body = new Div();
    body.addClassName("why-body");
    Span result = new Span(a.result().equals("sent") ? "Sent" : "Suppressed");
    result.setId("why-result");
    result
        .getElement()
        .getThemeList()
        .add(a.result().equals("sent") ? "badge success" : "badge error");
    Span reason = new Span(a.reason() == null ? "" : reasonText(a.reason(), a.detail()));
    reason.setId("why-reason");
    body.add(new Div(result, new Span(" "), reason));
    body.add(
        new Paragraph(
            a.runId() == null
                ? "The sync has not run since governance was introduced."
                : "As decided by run "
                    + a.runId()
                    + (a.evaluatedAt() == null
                        ? ""
                        : " (evaluated " + Times.second(a.evaluatedAt()) + ")")
                    + ". The details below are as of now."));

    body.add(new H4("Membership"));
    body.add(fact("member", a.member() ? "yes" : "no", a.member()));
    a.conditions()
        .forEach(
            c -> body.add(fact(c.path(), c.matched() ? "matches" : "does not match", c.matched())));
    if (a.subset() != null) {
      body.add(new H4("Subsets"));
      body.add(
          fact(
              a.subset().required(),
              a.subset().matched() ? "inside" : "outside",
              a.subset().matched()));
    }
    if (!a.consent().isEmpty()) {
      body.add(new H4("Consent"));
      for (SyncEngine.ConsentAnswer c : a.consent()) {
        body.add(
            fact(
                c.purpose(),
                c.status() + (c.at() == null ? "" : " since " + Times.second(c.at())),
                c.allows()));
      }
    }
    if (a.rule() != null) {
      body.add(new H4("Destination rule"));
      body.add(fact("rule", a.rule() ? "satisfied" : "not satisfied", a.rule()));
    }
    if (a.priority() != null) {
      body.add(new H4("Priority list " + a.priority().list()));
      body.add(
          fact(
              "higher-ranked audience",
              a.priority().winner() == null ? "none" : a.priority().winner() + " wins",
              a.priority().winner() == null));
    }
    if (a.split() != null) {
      body.add(new H4("Split"));
      body.add(
          fact(
              "group",
              a.split().group() + (a.split().holdout() ? " (holdout)" : ""),
              !a.split().holdout()));
    }
    body.add(new H4("Last delivery"));
    body.add(
        new Paragraph(
            a.lastDelivery() == null
                ? "Never delivered by this sync."
                : a.lastDelivery().op()
                    + " in run "
                    + a.lastDelivery().runId()
                    + " at "
                    + Times.second(a.lastDelivery().at())));
    if (a.now() != null && !a.now().result().equals(a.result())) {
      Paragraph now =
          new Paragraph(
              "A run starting now would decide: "
                  + a.now().result()
                  + (a.now().reason() == null ? "" : " (" + a.now().reason() + ")"));
      now.setId("why-now");
      body.add(now);
    }
    return body;
  }

  /** A reason as a person reads it. */
  static String reasonText(String reason, String detail) {
    String text =
        switch (reason) {
          case "subset" -> "outside the required subsets";
          case "consent" -> "consent does not allow";
          case "rule" -> "the destination's rule excludes them";
          case "priority" -> "a higher-ranked audience of the priority list has them";
          case "split" -> "in a split group this sync does not deliver";
          case "holdout" -> "held out (holdout group)";
          case "identifier" -> "cannot be sent by its identifier";
          case "rejected" -> "the destination rejected the row";
          case "not_member" -> "not a member of the audience";
          case "not_run" -> "not yet decided";
          default -> reason;
        };
    return detail == null ? text : text + ": " + detail;
  }

  private static Component fact(String name, String value, boolean good) {
    Span n = new Span(name);
    n.addClassName("fact-name");
    Span v = new Span(value);
    v.addClassName("fact-value");
    v.getElement().getThemeList().add(good ? "badge success" : "badge contrast");
    Div row = new Div(n, new Span(" "), v);
    row.addClassName("why-fact");
    return row;
  }
}
