package io.customerstudio.app.tokens.ui;

import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.confirmdialog.ConfirmDialog;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.base.ui.FormErrors;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.security.Roles;
import io.customerstudio.app.tokens.ApiTokenService;
import io.customerstudio.app.users.UserService;
import jakarta.annotation.security.RolesAllowed;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** Admins create API tokens (shown once), see when they were last used, and revoke them. */
@Route("admin/tokens")
@Menu(title = "API tokens", order = 910, icon = "vaadin:key")
@PageTitle("API tokens · Customer Studio")
@RolesAllowed(Roles.ADMIN)
public class ApiTokensView extends VerticalLayout {

  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

  private final ApiTokenService tokens;
  private final UserService users;
  private final String me;
  private final Grid<ApiTokenService.TokenView> grid = new Grid<>();

  public ApiTokensView(ApiTokenService tokens, UserService users, AuthenticationContext auth) {
    this.tokens = tokens;
    this.users = users;
    this.me = auth.getPrincipalName().orElse("");
    Button create = new Button("Create token", VaadinIcon.PLUS.create(), e -> openCreate());
    create.setId("create-token");
    create.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    HorizontalLayout top = new HorizontalLayout(new H2("API tokens"), create);
    top.setDefaultVerticalComponentAlignment(Alignment.BASELINE);

    grid.setId("tokens");
    grid.addColumn(ApiTokenService.TokenView::name).setHeader("Name");
    grid.addColumn(t -> t.prefix() + "…").setHeader("Token");
    grid.addColumn(ApiTokenService.TokenView::username).setHeader("Acts as");
    grid.addColumn(t -> format(t.createdAt())).setHeader("Created");
    grid.addColumn(t -> format(t.lastUsedAt())).setHeader("Last used");
    grid.addColumn(t -> t.expiresAt() == null ? "never" : format(t.expiresAt()))
        .setHeader("Expires");
    grid.addColumn(t -> t.revokedAt() != null ? "revoked" : t.active() ? "active" : "expired")
        .setHeader("Status");
    grid.addComponentColumn(
            t -> {
              Button revoke = new Button("Revoke", e -> confirmRevoke(t));
              revoke.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_ERROR);
              revoke.setEnabled(t.revokedAt() == null);
              return revoke;
            })
        .setHeader("Actions");
    Paragraph help =
        new Paragraph(
            "Use a token as 'Authorization: Bearer <token>' on /api/v1. It acts as its user, with that user's role.");
    add(top, help, grid);
    refresh();
  }

  private void refresh() {
    grid.setItems(tokens.list());
  }

  private void openCreate() {
    Dialog dialog = new Dialog();
    dialog.setHeaderTitle("Create API token");
    TextField name = new TextField("Name");
    name.setId("token-name");
    name.setPlaceholder("e.g. CI export job");
    Select<String> owner = new Select<>();
    owner.setId("token-user");
    owner.setLabel("Acts as user");
    owner.setItems(users.list().stream().map(UserService.UserView::username).toList());
    owner.setValue(me);
    IntegerField days = new IntegerField("Expires in days");
    days.setId("token-days");
    days.setHelperText("Leave empty for no expiry");
    Map<String, HasValidation> fields = Map.of("$.name", name, "$.expiresInDays", days);
    Button save =
        new Button(
            "Create",
            e -> {
              fields.values().forEach(f -> f.setInvalid(false));
              try {
                ApiTokenService.IssuedToken issued =
                    tokens.issue(
                        new ApiTokenService.TokenRequest(
                            name.getValue(), owner.getValue(), days.getValue()),
                        me);
                dialog.close();
                refresh();
                showOnce(issued.token());
              } catch (ApiException ex) {
                FormErrors.show(ex, fields);
              }
            });
    save.setId("token-save");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    dialog.add(new FormLayout(name, owner, days));
    dialog.getFooter().add(new Button("Cancel", e -> dialog.close()), save);
    dialog.open();
  }

  private void showOnce(String token) {
    Dialog dialog = new Dialog();
    dialog.setHeaderTitle("Copy your token now");
    TextField value = new TextField();
    value.setId("token-value");
    value.setValue(token);
    value.setReadOnly(true);
    value.setWidthFull();
    dialog.add(new Paragraph("This is the only time it is shown. Only a digest is stored."), value);
    dialog.setWidth("36em");
    dialog.getFooter().add(new Button("Done", e -> dialog.close()));
    dialog.open();
  }

  private void confirmRevoke(ApiTokenService.TokenView t) {
    ConfirmDialog confirm =
        new ConfirmDialog(
            "Revoke " + t.name() + "?",
            "Requests with this token will get 401 from now on.",
            "Revoke",
            e -> {
              tokens.revoke(t.id(), me);
              refresh();
              Notifications.success("Revoked " + t.name());
            });
    confirm.setConfirmButtonTheme("error primary");
    confirm.setCancelable(true);
    confirm.open();
  }

  private static String format(OffsetDateTime t) {
    return t == null ? "" : t.format(WHEN);
  }
}
