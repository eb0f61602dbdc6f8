package io.customerstudio.app.journeys.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.radiobutton.RadioButtonGroup;
import com.vaadin.flow.component.radiobutton.RadioGroupVariant;
import io.customerstudio.app.journeys.JourneyDefinitions;
import java.util.function.Consumer;

/**
 * Publish asks one question when people are already inside an earlier version: do they stay on the
 * version they entered, or move to the new one (each to the node of the same id, keeping the time
 * already waited)? A first publish has nobody in flight, so it only confirms.
 */
final class PublishDialog extends Dialog {

  static final String STAY = "stay";
  static final String MIGRATE = "migrate";

  final RadioButtonGroup<String> choice = new RadioButtonGroup<>();

  PublishDialog(JourneyDefinitions.Detail journey, Consumer<Boolean> publish) {
    setId("publish-dialog");
    boolean first = journey.liveVersion() == null;
    int next = journey.versions().size() + 1;
    setHeaderTitle("Publish version " + next + " of " + journey.name() + "?");
    if (first) {
      add(
          new Paragraph(
              "The journey goes live: "
                  + (journey.draft().path("entry").path("type").asText().equals("audience")
                      ? "the audience's members enter now (unless only future members enter),"
                      : "people enter when their entry event arrives,")
                  + " and sends go to real destinations."));
    } else {
      add(
          new Paragraph(
              "People are inside version " + journey.liveVersion() + ". What happens to them?"));
      choice.setId("publish-migrate");
      choice.addThemeVariants(RadioGroupVariant.LUMO_VERTICAL);
      choice.setItems(STAY, MIGRATE);
      choice.setItemLabelGenerator(
          c ->
              c.equals(STAY)
                  ? "Keep them on the version they entered: they finish the path they started;"
                      + " only people who enter from now on follow version "
                      + next
                      + "."
                  : "Move them to version "
                      + next
                      + ": everyone waiting at a node that still exists"
                      + " (same id) continues there, keeping the time already waited; people at"
                      + " nodes that no longer exist finish on their old version.");
      choice.setValue(STAY);
      add(choice);
    }
    Button confirm = new Button(first ? "Publish and go live" : "Publish");
    confirm.setId("publish-confirm");
    confirm.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    confirm.addClickListener(
        e -> {
          close();
          publish.accept(!first && MIGRATE.equals(choice.getValue()));
        });
    Button cancel = new Button("Cancel", e -> close());
    cancel.setId("publish-cancel");
    getFooter().add(cancel, confirm);
  }
}
