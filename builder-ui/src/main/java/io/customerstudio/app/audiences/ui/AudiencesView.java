package io.customerstudio.app.audiences.ui;

import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.ColumnTextAlign;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.value.ValueChangeMode;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.base.ui.Times;
import io.customerstudio.app.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import java.text.NumberFormat;
import java.util.List;
import java.util.Locale;

/**
 * Every saved audience: name, key, its newest known size with where and when it was counted (the
 * builder's live count, a sync run or a snapshot of the current definition), and who changed it
 * when.
 */
@Route("audiences")
@Menu(title = "Audiences", order = 100, icon = "vaadin:users")
@PageTitle("Audiences · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class AudiencesView extends VerticalLayout implements BeforeEnterObserver {

  private final AudienceService audiences;
  private final Grid<AudienceService.Listed> grid = new Grid<>();
  private final Paragraph empty = new Paragraph();
  private final TextField search = new TextField();

  public AudiencesView(AudienceService audiences) {
    this.audiences = audiences;
    Button create =
        new Button(
            "New audience",
            VaadinIcon.PLUS.create(),
            e -> UI.getCurrent().navigate(AudienceEditorView.class));
    create.setId("new-audience");
    create.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    search.setId("audience-search");
    search.setPlaceholder("Search by name, key or description");
    search.setPrefixComponent(VaadinIcon.SEARCH.create());
    search.setClearButtonVisible(true);
    search.setValueChangeMode(ValueChangeMode.LAZY);
    search.setWidth("24em");
    search.addValueChangeListener(e -> load());
    HorizontalLayout top = new HorizontalLayout(new H2("Audiences"), search, create);
    top.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);

    grid.setId("audiences");
    grid.addColumn(l -> l.audience().name()).setHeader("Name").setSortable(true).setFlexGrow(2);
    grid.addColumn(l -> l.audience().key()).setHeader("Key").setSortable(true);
    grid.addColumn(l -> l.audience().parent()).setHeader("Of");
    grid.addColumn(
            l ->
                l.size() == null
                    ? ""
                    : NumberFormat.getIntegerInstance(Locale.ENGLISH).format(l.size().members()))
        .setHeader("Size")
        .setKey("size")
        .setTextAlign(ColumnTextAlign.END)
        .setSortable(true)
        .setComparator(l -> l.size() == null ? -1 : l.size().members())
        .setAutoWidth(true);
    grid.addColumn(AudiencesView::counted)
        .setHeader("Counted (UTC)")
        .setKey("counted")
        .setAutoWidth(true)
        .setTooltipGenerator(
            l ->
                "The newest size known for the current definition: the builder's live count, a"
                    + " sync run or a snapshot, whichever is newest. Open the audience to count"
                    + " it now.");
    grid.addColumn(l -> l.audience().updatedBy()).setHeader("Changed by");
    grid.addColumn(l -> Times.minute(l.audience().updatedAt()))
        .setHeader("Changed at (UTC)")
        .setSortable(true)
        .setComparator(l -> l.audience().updatedAt());
    // selection, not item click: Space and Enter open an audience as a click does
    grid.asSingleSelect()
        .addValueChangeListener(
            e -> {
              if (e.getValue() != null) {
                UI.getCurrent().navigate(AudienceEditorView.class, e.getValue().audience().key());
              }
            });
    empty.setId("audiences-empty");
    add(top, empty, grid);
  }

  /** Every visit reads the list again: sizes change as builders, runs and snapshots count. */
  @Override
  public void beforeEnter(BeforeEnterEvent event) {
    load();
  }

  /** Where and when the size was counted: "live count, 2026-12-02 06:30". */
  static String counted(AudienceService.Listed l) {
    AudienceService.KnownSize s = l.size();
    if (s == null) {
      return "not counted yet";
    }
    String where =
        switch (s.source()) {
          case LIVE_COUNT -> "live count";
          case SYNC_RUN -> "run of sync '" + s.detail() + "'";
          case SNAPSHOT -> "snapshot";
        };
    return where + ", " + Times.minute(s.at());
  }

  private void load() {
    String q = search.getValue().isBlank() ? null : search.getValue().strip();
    List<AudienceService.Listed> found = audiences.listWithSizes(q);
    grid.setItems(found);
    empty.setVisible(found.isEmpty());
    empty.setText(
        q != null
            ? "No audience matches \"" + q + "\"."
            : "No audiences yet. Create one with \"New audience\": pick conditions, watch the size, save.");
  }
}
