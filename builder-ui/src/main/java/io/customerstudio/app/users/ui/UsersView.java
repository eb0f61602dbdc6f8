package io.customerstudio.app.users.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.confirmdialog.ConfirmDialog;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.PasswordField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.base.ui.FormErrors;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.security.Roles;
import io.customerstudio.app.subsets.SubsetService;
import io.customerstudio.app.subsets.ui.SubsetPicker;
import io.customerstudio.app.subsets.ui.SubsetsText;
import io.customerstudio.app.users.UserService;
import io.customerstudio.infra.store.UserStore;
import jakarta.annotation.security.RolesAllowed;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** Admins add people, set roles, reset passwords and disable or delete accounts. */
@Route("admin/users")
@Menu(title = "Users", order = 900, icon = "vaadin:users")
@PageTitle("Users · Customer Studio")
@RolesAllowed(Roles.ADMIN)
public class UsersView extends VerticalLayout {

  private final UserService users;
  private final SubsetService subsets;
  private final String me;
  private final Grid<UserService.UserView> grid = new Grid<>();

  public UsersView(UserService users, SubsetService subsets, AuthenticationContext auth) {
    this.users = users;
    this.subsets = subsets;
    this.me = auth.getPrincipalName().orElse("");
    Button add = new Button("Add user", VaadinIcon.PLUS.create(), e -> openEditor(null));
    add.setId("add-user");
    add.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    HorizontalLayout top = new HorizontalLayout(new H2("Users"), add);
    top.setDefaultVerticalComponentAlignment(Alignment.BASELINE);

    grid.setId("users");
    grid.addColumn(UserService.UserView::username).setHeader("Username").setSortable(true);
    grid.addColumn(u -> u.displayName() == null ? "" : u.displayName()).setHeader("Name");
    grid.addColumn(UserService.UserView::role).setHeader("Role").setSortable(true);
    grid.addColumn(u -> u.enabled() ? "yes" : "no").setHeader("Enabled");
    grid.addColumn(u -> SubsetsText.of(u.subsets())).setHeader("Sees").setKey("sees");
    grid.addColumn(u -> u.createdAt().format(DateTimeFormatter.ISO_LOCAL_DATE))
        .setHeader("Created");
    grid.addComponentColumn(
            u -> {
              Button edit = new Button("Edit", e -> openEditor(u));
              edit.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
              Button delete = new Button("Delete", e -> confirmDelete(u));
              delete.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_ERROR);
              delete.setEnabled(!u.username().equals(me));
              return new HorizontalLayout(edit, delete);
            })
        .setHeader("Actions")
        .setKey("actions");
    add(top, grid);
    refresh();
  }

  private void refresh() {
    grid.setItems(users.list());
  }

  /** One dialog for both cases: {@code existing} null means a new user. */
  private void openEditor(UserService.UserView existing) {
    Dialog dialog = new Dialog();
    dialog.setHeaderTitle(existing == null ? "Add user" : "Edit " + existing.username());
    TextField username = new TextField("Username");
    username.setId("user-username");
    TextField name = new TextField("Display name");
    name.setId("user-display-name");
    Select<UserStore.Role> role = new Select<>();
    role.setId("user-role");
    role.setLabel("Role");
    role.setItems(UserStore.Role.values());
    role.setHelperText(
        "ADMIN: sources, schema, destinations, users. MARKETER: audiences, syncs, journeys.");
    PasswordField password =
        new PasswordField(existing == null ? "Password" : "New password (leave empty to keep)");
    password.setId("user-password");
    password.setHelperText("At least 10 characters");
    Checkbox enabled = new Checkbox("Enabled");
    if (existing == null) {
      role.setValue(UserStore.Role.MARKETER);
    } else {
      username.setValue(existing.username());
      username.setReadOnly(true);
      name.setValue(existing.displayName() == null ? "" : existing.displayName());
      role.setValue(existing.role());
      enabled.setValue(existing.enabled());
    }
    SubsetPicker picker =
        new SubsetPicker(
            "user-subsets",
            "A marketer with subsets sees and counts only those rows; admins see everything.",
            subsets.list());
    if (existing != null) {
      picker.setValue(existing.subsets());
    }
    FormLayout form = new FormLayout(username, name, role, password);
    if (existing != null) {
      form.add(enabled);
    }
    form.add(picker);
    form.setColspan(picker, 2);
    Map<String, com.vaadin.flow.component.HasValidation> fields =
        Map.of("$.username", username, "$.displayName", name, "$.password", password);
    Button save =
        new Button(
            "Save",
            e -> {
              fields.values().forEach(f -> f.setInvalid(false));
              try {
                if (existing == null) {
                  users.create(
                      new UserService.NewUser(
                          username.getValue(),
                          name.getValue(),
                          role.getValue(),
                          password.getValue(),
                          picker.getValue()),
                      me);
                } else {
                  users.update(
                      existing.username(),
                      new UserService.UserChange(
                          name.getValue(),
                          role.getValue(),
                          enabled.getValue(),
                          password.getValue().isEmpty() ? null : password.getValue(),
                          picker.getValue()),
                      me);
                }
                dialog.close();
                refresh();
                Notifications.success("Saved " + username.getValue());
              } catch (ApiException ex) {
                FormErrors.show(ex, fields);
              }
            });
    save.setId("user-save");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    dialog.add(form);
    dialog.getFooter().add(new Button("Cancel", e -> dialog.close()), save);
    dialog.open();
  }

  private void confirmDelete(UserService.UserView u) {
    ConfirmDialog confirm =
        new ConfirmDialog(
            "Delete " + u.username() + "?",
            "They will no longer be able to log in, and their API tokens stop working.",
            "Delete",
            e -> {
              try {
                users.delete(u.username(), me);
                refresh();
                Notifications.success("Deleted " + u.username());
              } catch (ApiException ex) {
                Notifications.error(ex.getMessage());
              }
            });
    confirm.setConfirmButtonTheme("error primary");
    confirm.setCancelable(true);
    confirm.open();
  }
}
