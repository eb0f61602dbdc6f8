package io.customerstudio.app.templates.ui;

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
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.customerstudio.app.security.Roles;
import io.customerstudio.app.templates.TemplateService;
import jakarta.annotation.security.RolesAllowed;
import java.util.List;

/** Reusable conditions: their parameters and the audiences that use each. */
@Route("templates")
@Menu(title = "Templates", order = 200, icon = "vaadin:puzzle-piece")
@PageTitle("Templates · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class TemplatesView extends VerticalLayout {

  public TemplatesView(TemplateService templates) {
    Button create =
        new Button(
            "New template",
            VaadinIcon.PLUS.create(),
            e -> UI.getCurrent().navigate(TemplateEditorView.class));
    create.setId("new-template");
    create.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    HorizontalLayout top = new HorizontalLayout(new H2("Templates"), create);
    top.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    Grid<TemplateService.TemplateView> grid = new Grid<>();
    grid.setId("templates");
    grid.addColumn(TemplateService.TemplateView::name).setHeader("Name").setFlexGrow(2);
    grid.addColumn(TemplateService.TemplateView::key).setHeader("Key");
    grid.addColumn(t -> String.join(", ", t.params())).setHeader("Parameters");
    grid.addColumn(t -> t.usedBy().isEmpty() ? "not used" : String.join(", ", t.usedBy()))
        .setHeader("Used by")
        .setFlexGrow(2);
    grid.addColumn(TemplateService.TemplateView::updatedBy).setHeader("Changed by");
    grid.asSingleSelect()
        .addValueChangeListener(
            e -> {
              if (e.getValue() != null) {
                UI.getCurrent().navigate(TemplateEditorView.class, e.getValue().key());
              }
            });
    List<TemplateService.TemplateView> all = templates.list();
    grid.setItems(all);
    Paragraph empty =
        new Paragraph(
            "No templates yet. In an audience, use \"Save as template\" on a group of conditions, "
                + "or create one here; mark values as parameters to fill them in per audience.");
    empty.setId("templates-empty");
    empty.setVisible(all.isEmpty());
    add(top, empty, grid);
  }
}
