package io.customerstudio.app.audiences.ui;

import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.value.ValueChangeMode;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import java.text.NumberFormat;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** Every saved audience: name, key, size as of its last count, and who changed it when. */
@Route("audiences")
@Menu(title = "Audiences", order = 100, icon = "vaadin:users")
@PageTitle("Audiences · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class AudiencesView extends VerticalLayout {

  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

  private final AudienceService audiences;
  private final Grid<AudienceService.AudienceView> grid = new Grid<>();
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
    grid.addColumn(AudienceService.AudienceView::name)
        .setHeader("Name")
        .setSortable(true)
        .setFlexGrow(2);
    grid.addColumn(AudienceService.AudienceView::key).setHeader("Key").setSortable(true);
    grid.addColumn(AudienceService.AudienceView::parent).setHeader("Of");
    grid.addColumn(
            a ->
                a.size() == null
                    ? "not counted yet"
                    : NumberFormat.getIntegerInstance(Locale.ENGLISH).format(a.size())
                        + " (as of "
                        + a.sizeAt().format(WHEN)
                        + ")")
        .setHeader("Size")
        .setAutoWidth(true);
    grid.addColumn(AudienceService.AudienceView::updatedBy).setHeader("Changed by");
    grid.addColumn(a -> a.updatedAt().format(WHEN))
        .setHeader("Changed at (UTC)")
        .setSortable(true)
        .setComparator(AudienceService.AudienceView::updatedAt);
    // selection, not item click: Space and Enter open an audience as a click does
    grid.asSingleSelect()
        .addValueChangeListener(
            e -> {
              if (e.getValue() != null) {
                UI.getCurrent().navigate(AudienceEditorView.class, e.getValue().key());
              }
            });
    empty.setId("audiences-empty");
    add(top, empty, grid);
    load();
  }

  private void load() {
    String q = search.getValue().isBlank() ? null : search.getValue().strip();
    List<AudienceService.AudienceView> found = audiences.list(q);
    grid.setItems(found);
    empty.setVisible(found.isEmpty());
    empty.setText(
        q != null
            ? "No audience matches \"" + q + "\"."
            : "No audiences yet. Create one with \"New audience\": pick conditions, watch the size, save.");
  }
}
