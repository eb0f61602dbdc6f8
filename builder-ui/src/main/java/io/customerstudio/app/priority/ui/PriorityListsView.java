package io.customerstudio.app.priority.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.confirmdialog.ConfirmDialog;
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
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.app.priority.PriorityListService;
import io.customerstudio.app.security.Roles;
import io.customerstudio.query.ValidationException;
import jakarta.annotation.security.RolesAllowed;
import java.util.List;

/**
 * Priority lists: which audience wins a person who is in several. The lists, and an editor for one
 * (drag the audiences into order, add and remove them, preview what the order does, save).
 */
@Route("priority-lists")
@Menu(title = "Priority lists", order = 150, icon = "vaadin:sort")
@PageTitle("Priority lists · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class PriorityListsView extends VerticalLayout {

  private final PriorityListService lists;
  private final String user;
  private final Grid<PriorityListService.PriorityListView> grid = new Grid<>();
  private final Paragraph empty = new Paragraph();
  private final PriorityListEditor editor;
  private final Button delete = new Button("Delete", VaadinIcon.TRASH.create());

  public PriorityListsView(PriorityListService lists, AuthenticationContext auth) {
    this.lists = lists;
    this.user = auth.getPrincipalName().orElse("unknown");
    this.editor = new PriorityListEditor(lists);
    Button create = new Button("New list", VaadinIcon.PLUS.create(), e -> open(null));
    create.setId("priority-new");
    HorizontalLayout top = new HorizontalLayout(new H2("Priority lists"), create);
    top.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);

    grid.setId("priority-lists");
    grid.addColumn(PriorityListService.PriorityListView::name).setHeader("Name").setFlexGrow(2);
    grid.addColumn(PriorityListService.PriorityListView::key).setHeader("Key");
    grid.addColumn(PriorityListService.PriorityListView::parent).setHeader("Over");
    grid.addColumn(l -> String.join(" › ", l.audiences()))
        .setHeader("Audiences, highest first")
        .setFlexGrow(3);
    grid.addColumn(PriorityListService.PriorityListView::updatedBy).setHeader("Changed by");
    grid.setAllRowsVisible(true);
    grid.asSingleSelect()
        .addValueChangeListener(
            e -> {
              if (e.getValue() != null) {
                open(e.getValue());
              }
            });
    empty.setId("priority-lists-empty");
    empty.setText(
        "No priority lists yet. A list ranks audiences of one parent: a person in several of them"
            + " is sent only with the highest-ranked one.");

    Button save = new Button("Save", VaadinIcon.CHECK.create(), e -> save());
    save.setId("priority-save");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    delete.setId("priority-delete");
    delete.addThemeVariants(ButtonVariant.LUMO_ERROR);
    delete.addClickListener(e -> confirmDelete());
    editor.setId("priority-editor");
    editor.setVisible(false);
    editor.actions(save, delete);

    add(top, empty, grid, editor);
    refresh();
  }

  /** The editor, for tests that drive it as a person would. */
  PriorityListEditor editor() {
    return editor;
  }

  private void open(PriorityListService.PriorityListView list) {
    editor.edit(list);
    editor.setVisible(true);
    delete.setVisible(list != null);
  }

  void save() {
    PriorityListService.Command command = editor.command();
    PriorityListService.PriorityListView saved;
    try {
      saved =
          editor.editing() == null
              ? lists.create(command, user)
              : lists.update(editor.editing(), command, user);
    } catch (ValidationException e) {
      editor.showProblems(e);
      return;
    } catch (NotFoundException | ConflictException e) {
      Notifications.error(e.getMessage());
      return;
    }
    Notifications.success("Saved " + saved.name());
    refresh();
    open(saved);
    editor.showPreview();
  }

  private void confirmDelete() {
    String key = editor.editing();
    ConfirmDialog confirm =
        new ConfirmDialog(
            "Delete priority list " + key + "?",
            "Its audiences are no longer ranked: from the next run on, a person in several of them"
                + " is sent with each.",
            "Delete",
            e -> {
              if (Notifications.attempt(() -> lists.delete(key, user))) {
                Notifications.success("Deleted " + key);
                editor.setVisible(false);
                refresh();
              }
            });
    confirm.setConfirmButtonTheme("error primary");
    confirm.setCancelable(true);
    confirm.open();
  }

  private void refresh() {
    List<PriorityListService.PriorityListView> all = lists.list();
    grid.setItems(all);
    empty.setVisible(all.isEmpty());
  }
}
