package io.customerstudio.app.events.ui;

import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.confirmdialog.ConfirmDialog;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.app.base.ui.FormErrors;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.base.ui.Times;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.events.EventSourceService;
import io.customerstudio.app.security.Roles;
import io.customerstudio.query.ValidationException;
import jakarta.annotation.security.RolesAllowed;
import java.util.Map;

/**
 * Admins create event sources (the secret shown once, with the signing recipe), rotate their
 * secrets and delete them.
 */
@Route("admin/event-sources")
@Menu(title = "Event sources", order = 930, icon = "vaadin:connect")
@PageTitle("Event sources · Customer Studio")
@RolesAllowed(Roles.ADMIN)
public class EventSourcesView extends VerticalLayout {

  /** How a source signs its requests, as the page explains it. */
  static final String RECIPE =
      "POST /api/v1/webhooks/events/<key> with the events as the body (one event or"
          + " {\"events\": [...]}, at most 1,000) and the header\n"
          + "  X-Studio-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\">\n"
          + "keyed with the source's secret. t may be at most 300 s off; an unknown source or a"
          + " bad, missing or stale signature gets 401.\n"
          + "Example (bash):\n"
          + "  t=$(date +%s); body='{\"eventId\":\"e-1\",\"personKey\":\"42\",\"type\":\"add_to_cart\"}'\n"
          + "  sig=$(printf '%s.%s' \"$t\" \"$body\" | openssl dgst -sha256 -hmac \"$SECRET\" -hex"
          + " | sed 's/^.* //')\n"
          + "  curl -X POST -H 'Content-Type: application/json' -H \"X-Studio-Signature:"
          + " t=$t,v1=$sig\" -d \"$body\" https://<studio>/api/v1/webhooks/events/<key>";

  private final EventSourceService sources;
  private final String me;
  private final Grid<EventSourceService.SourceView> grid = new Grid<>();

  public EventSourcesView(EventSourceService sources, AuthenticationContext auth) {
    this.sources = sources;
    this.me = auth.getPrincipalName().orElse("");
    Button create = new Button("Create source", VaadinIcon.PLUS.create(), e -> openCreate());
    create.setId("create-event-source");
    create.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    HorizontalLayout top = new HorizontalLayout(new H2("Event sources"), create);
    top.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);

    grid.setId("event-sources");
    grid.addColumn(EventSourceService.SourceView::key).setHeader("Key");
    grid.addColumn(EventSourceService.SourceView::name).setHeader("Name");
    grid.addColumn(EventSourceService.SourceView::createdBy).setHeader("Created by");
    grid.addColumn(s -> Times.minute(s.createdAt())).setHeader("Created");
    grid.addComponentColumn(this::actions).setHeader("Actions").setKey("actions");
    grid.setAllRowsVisible(true);

    Pre recipe = new Pre(RECIPE);
    recipe.setId("event-source-recipe");
    add(
        top,
        new Paragraph(
            "A source posts events to journeys without a login, signed with its secret. Any"
                + " logged-in marketer or token may also POST /api/v1/events."),
        grid,
        recipe);
    refresh();
  }

  private HorizontalLayout actions(EventSourceService.SourceView s) {
    Button rotate = new Button("New secret", e -> confirmRotate(s));
    rotate.setId("rotate-" + s.key());
    rotate.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    Button delete = new Button("Delete", e -> confirmDelete(s));
    delete.setId("delete-" + s.key());
    delete.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_ERROR);
    return new HorizontalLayout(rotate, delete);
  }

  private void refresh() {
    grid.setItems(sources.list());
  }

  private void openCreate() {
    Dialog dialog = new Dialog();
    dialog.setHeaderTitle("Create event source");
    TextField key = new TextField("Key");
    key.setId("event-source-key");
    key.setHelperText("Part of the webhook's URL: a-z, 0-9, '-', '_'");
    TextField name = new TextField("Name");
    name.setId("event-source-name");
    name.setPlaceholder("e.g. Shop backend");
    Map<String, HasValidation> fields = Map.of("$.key", key, "$.name", name);
    Button save =
        new Button(
            "Create",
            e -> {
              fields.values().forEach(f -> f.setInvalid(false));
              try {
                EventSourceService.SourceSecret created =
                    sources.create(
                        new EventSourceService.SourceCommand(key.getValue(), name.getValue()), me);
                dialog.close();
                refresh();
                showSecret(created);
              } catch (ValidationException ex) {
                FormErrors.show(ex, fields);
              } catch (ConflictException ex) {
                key.setErrorMessage(ex.getMessage());
                key.setInvalid(true);
              }
            });
    save.setId("event-source-save");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    dialog.add(new FormLayout(key, name));
    dialog.getFooter().add(new Button("Cancel", e -> dialog.close()), save);
    dialog.open();
  }

  private void confirmRotate(EventSourceService.SourceView s) {
    ConfirmDialog confirm =
        new ConfirmDialog(
            "New secret for " + s.name() + "?",
            "Requests signed with the current secret get 401 from now on.",
            "Make new secret",
            e ->
                Notifications.attempt(() -> sources.rotate(s.key(), me))
                    .ifPresent(EventSourcesView::showSecret));
    confirm.setId("confirm-rotate-event-source");
    confirm.setCancelable(true);
    confirm.open();
  }

  private void confirmDelete(EventSourceService.SourceView s) {
    ConfirmDialog confirm =
        new ConfirmDialog(
            "Delete " + s.name() + "?",
            "Its requests get 401 from now on; the events it sent stay.",
            "Delete",
            e -> {
              if (Notifications.attempt(() -> sources.delete(s.key(), me))) {
                refresh();
                Notifications.success("Deleted event source " + s.key());
              }
            });
    confirm.setId("confirm-delete-event-source");
    confirm.setConfirmButtonTheme("error primary");
    confirm.setCancelable(true);
    confirm.open();
  }

  /** The secret, this once, with a copy button and the URL it signs for. */
  static void showSecret(EventSourceService.SourceSecret s) {
    Dialog d = new Dialog();
    d.setId("event-source-secret-dialog");
    d.setHeaderTitle("Secret of " + s.name());
    TextField value = new TextField();
    value.setId("event-source-secret");
    value.setValue(s.secret());
    value.setReadOnly(true);
    value.setWidthFull();
    Button copy =
        new Button(
            "Copy",
            VaadinIcon.COPY_O.create(),
            e ->
                value
                    .getElement()
                    .executeJs("return navigator.clipboard.writeText($0)", s.secret())
                    .then(
                        ok -> Notifications.success("Secret copied."),
                        failed ->
                            Notifications.error("Copy failed: select the secret and copy it.")));
    copy.setId("event-source-secret-copy");
    HorizontalLayout row = new HorizontalLayout(value, copy);
    row.setWidthFull();
    row.expand(value);
    row.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    d.add(
        new Paragraph(
            "Sign POST /api/v1/webhooks/events/"
                + s.key()
                + " with this secret (the recipe is on the page). It is shown only now: it is"
                + " stored encrypted and cannot be shown again."),
        row);
    d.setWidth("40em");
    Button done = new Button("Done", e -> d.close());
    done.setId("event-source-secret-done");
    d.getFooter().add(done);
    d.open();
  }
}
