package io.customerstudio.app.journeys.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.journeys.JourneyDefinitions;

/**
 * A new journey: its key, name and parent model, as a draft whose people enter on an event and
 * leave at once; the canvas opens on it to draw the rest.
 */
final class NewJourneyDialog extends Dialog {

  private static final ObjectMapper JSON = new ObjectMapper();

  final TextField key = new TextField("Key");
  final TextField name = new TextField("Name");
  final TextField parent = new TextField("Parent model");

  NewJourneyDialog(JourneyDefinitions definitions, String user) {
    setId("new-journey-dialog");
    setHeaderTitle("New journey");
    key.setId("new-journey-key");
    key.setHelperText("lower case letters, digits, - and _; it cannot change later");
    name.setId("new-journey-name");
    parent.setId("new-journey-parent");
    parent.setValue("users");
    add(new FormLayout(key, name, parent));
    Button create = new Button("Create and open");
    create.setId("new-journey-create");
    create.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    create.addClickListener(
        e ->
            Notifications.attempt(() -> definitions.create(document(), user))
                .ifPresent(
                    d -> {
                      close();
                      JourneyEditorView.open(d.key());
                    }));
    getFooter().add(new Button("Cancel", e -> close()), create);
  }

  ObjectNode document() {
    ObjectNode d = JSON.createObjectNode();
    d.put("key", key.getValue().trim());
    d.put("name", name.getValue().isBlank() ? key.getValue().trim() : name.getValue().trim());
    d.put("parent", parent.getValue().trim());
    d.putObject("entry").put("type", "event").put("eventType", "add_to_cart");
    d.putObject("reentry").put("policy", "after_exit");
    d.put("start", "done");
    d.putArray("nodes").addObject().put("id", "done").put("type", "exit");
    return d;
  }
}
