package io.customerstudio.app.journeys.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.select.Select;
import io.customerstudio.app.journeys.JourneyDefinitions;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * A journey's versions, newest first, and what each changed from the one before it (the draft: from
 * the live version), as readable sentences ({@link JourneyDiff}).
 */
final class VersionsDialog extends Dialog {

  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
  static final String DRAFT = "draft";

  final Select<String> version = new Select<>();
  final Div changes = new Div();
  private final JourneyDefinitions definitions;
  private final JourneyDefinitions.Detail journey;

  VersionsDialog(JourneyDefinitions definitions, String key) {
    this.definitions = definitions;
    this.journey = definitions.find(key);
    setId("versions-dialog");
    setHeaderTitle("Versions of " + journey.name());
    setWidth("720px");
    List<String> items = new ArrayList<>();
    items.add(DRAFT);
    for (int i = journey.versions().size() - 1; i >= 0; i--) {
      items.add(String.valueOf(journey.versions().get(i).version()));
    }
    version.setId("versions-select");
    version.setLabel("Version");
    version.setItems(items);
    version.setItemLabelGenerator(
        v -> {
          if (v.equals(DRAFT)) {
            return "Draft (not published)";
          }
          var info = journey.versions().get(Integer.parseInt(v) - 1);
          return "Version "
              + v
              + " · "
              + info.publishedAt().format(WHEN)
              + " by "
              + info.publishedBy();
        });
    version.addValueChangeListener(e -> show(e.getValue()));
    changes.setId("versions-changes");
    add(version, changes);
    version.setValue(DRAFT);
    getFooter().add(new Button("Close", e -> close()));
  }

  private void show(String v) {
    changes.removeAll();
    JsonNode after;
    JsonNode before;
    String against;
    if (v.equals(DRAFT)) {
      after = journey.draft();
      Integer live = journey.liveVersion();
      before = live == null ? null : definitions.version(journey.key(), live).definition();
      against = live == null ? "" : "Changes from version " + live + " (live):";
    } else {
      int n = Integer.parseInt(v);
      after = definitions.version(journey.key(), n).definition();
      before = n == 1 ? null : definitions.version(journey.key(), n - 1).definition();
      against = n == 1 ? "" : "Changes from version " + (n - 1) + ":";
    }
    if (!against.isEmpty()) {
      changes.add(new Paragraph(against));
    }
    for (String line : JourneyDiff.between(before, after)) {
      Paragraph p = new Paragraph(line);
      p.addClassName("version-change");
      changes.add(p);
    }
  }
}
