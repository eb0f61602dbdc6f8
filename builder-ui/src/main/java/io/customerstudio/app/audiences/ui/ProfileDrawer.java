package io.customerstudio.app.audiences.ui;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.ListItem;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.html.UnorderedList;
import com.vaadin.flow.component.icon.VaadinIcon;
import io.customerstudio.app.base.ui.Display;
import io.customerstudio.query.engine.AudienceEngine;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.SchemaDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One member, as a drawer over the builder: properties, traits, the latest related rows per
 * relationship, and the event timeline, newest first.
 */
final class ProfileDrawer extends Dialog {

  ProfileDrawer(AudienceEngine.Profile profile, Catalog catalog) {
    this(profile, catalog, null);
  }

  /**
   * @param audience the audience whose member this is: the drawer then offers "Why sent or not?"
   *     for its syncs (the why page, by route: views do not import other features' views)
   */
  ProfileDrawer(AudienceEngine.Profile profile, Catalog catalog, String audience) {
    addClassName("profile-drawer");
    setId("profile-drawer");
    setModal(true);
    setCloseOnEsc(true);
    setCloseOnOutsideClick(true);
    Catalog.ModelInfo model = catalog.model(profile.model()).orElseThrow();
    Object label =
        model.def().label() == null ? null : profile.properties().get(model.def().label());
    H3 title = new H3(label == null ? String.valueOf(profile.key()) : String.valueOf(label));
    title.setId("profile-title");
    Button close = new Button(VaadinIcon.CLOSE.create(), e -> close());
    close.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    close.setAriaLabel("Close profile");
    if (audience != null) {
      Button why =
          new Button(
              "Why sent or not?",
              e ->
                  // the UI first: a closed drawer is detached and has none any more
                  getUI()
                      .ifPresent(
                          ui -> {
                            close();
                            ui.navigate(
                                "why",
                                new com.vaadin.flow.router.QueryParameters(
                                    java.util.Map.of(
                                        "audience",
                                        java.util.List.of(audience),
                                        "member",
                                        java.util.List.of(String.valueOf(profile.key())))));
                          }));
      why.setId("profile-why");
      why.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
      getHeader().add(title, why, close);
    } else {
      getHeader().add(title, close);
    }

    Div body = new Div();
    body.addClassName("profile-body");
    body.add(new H4("Properties"), facts(profile.properties()));
    body.add(
        new H4("Traits"),
        profile.traits().isEmpty() ? new Paragraph("No traits defined.") : facts(profile.traits()));
    for (AudienceEngine.Related r : profile.related()) {
      Catalog.ModelInfo m = catalog.model(r.model()).orElse(null);
      boolean events = m != null && m.def().kind() == SchemaDocument.Kind.EVENT;
      body.add(new H4(events ? "Timeline: " + r.relationship() : "Latest " + r.relationship()));
      if (r.rows().isEmpty()) {
        body.add(new Paragraph("None."));
      } else if (events) {
        body.add(timeline(r.rows(), m.def()));
      } else {
        body.add(rows(r.rows()));
      }
    }
    add(body);
  }

  private static Component facts(Map<String, Object> values) {
    Div list = new Div();
    list.addClassName("profile-facts");
    values.forEach(
        (k, v) -> {
          Span name = new Span(k);
          name.addClassName("fact-name");
          Span value = new Span(v == null ? "—" : Display.text(v));
          value.addClassName("fact-value");
          list.add(name, value);
        });
    return list;
  }

  private static Component timeline(List<Map<String, Object>> rows, SchemaDocument.Model def) {
    UnorderedList list = new UnorderedList();
    list.addClassName("profile-timeline");
    for (Map<String, Object> row : rows) {
      String when = Display.text(row.get(def.timestamp()));
      String type = def.eventType() == null ? "" : String.valueOf(row.get(def.eventType()));
      List<String> rest = new ArrayList<>();
      row.forEach(
          (k, v) -> {
            if (!k.equals(def.timestamp())
                && !k.equals(def.eventType())
                && !k.equals(def.primaryKey())
                && v != null) {
              rest.addAll(Display.pairs(k, v));
            }
          });
      Span t = new Span(when);
      t.addClassName("timeline-time");
      Span what = new Span(type);
      what.addClassName("timeline-type");
      Span details = new Span(String.join(" · ", rest));
      details.addClassName("timeline-details");
      list.add(new ListItem(t, what, details));
    }
    return list;
  }

  private static Component rows(List<Map<String, Object>> rows) {
    Grid<Map<String, Object>> grid = new Grid<>();
    grid.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
    for (String column : rows.get(0).keySet()) {
      grid.addColumn(r -> Display.text(r.get(column))).setHeader(column).setAutoWidth(true);
    }
    grid.setItems(rows);
    grid.setAllRowsVisible(true);
    return grid;
  }
}
