package io.customerstudio.app.subsets.ui;

import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import io.customerstudio.app.subsets.SubsetService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Picks a selection of subsets ({@code {"region": ["eu"]}}): one multi-select per category. An
 * empty box leaves its category out; all boxes empty is no restriction ({@code {}}). Used for
 * users, syncs and destinations.
 */
public class SubsetPicker extends VerticalLayout {

  private final Map<String, MultiSelectComboBox<String>> boxes = new LinkedHashMap<>();

  public SubsetPicker(String idPrefix, String help, List<SubsetService.CategoryView> categories) {
    setPadding(false);
    setSpacing(false);
    if (categories.isEmpty()) {
      add(new Span("No subset categories yet (an admin defines them under Subsets)."));
      return;
    }
    for (SubsetService.CategoryView c : categories) {
      MultiSelectComboBox<String> box =
          new MultiSelectComboBox<>(c.name() + " (" + c.parent() + ")");
      box.setId(idPrefix + "-" + c.key());
      Map<String, String> names = new LinkedHashMap<>();
      c.subsets().forEach(s -> names.put(s.key(), s.name()));
      box.setItems(names.keySet());
      box.setItemLabelGenerator(k -> names.getOrDefault(k, k));
      box.setWidthFull();
      boxes.put(c.key(), box);
      add(box);
    }
    if (help != null) {
      Span note = new Span(help);
      note.getStyle().set("font-size", "var(--lumo-font-size-s)");
      add(note);
    }
  }

  /** The chosen subsets per category; {} when nothing is chosen. */
  public Map<String, List<String>> getValue() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    boxes.forEach(
        (category, box) -> {
          if (!box.getValue().isEmpty()) {
            List<String> chosen = new ArrayList<>();
            box.getListDataView().getItems().filter(box.getValue()::contains).forEach(chosen::add);
            out.put(category, chosen);
          }
        });
    return out;
  }

  public void setValue(Map<String, List<String>> selection) {
    boxes.forEach(
        (category, box) ->
            box.setValue(
                selection == null || !selection.containsKey(category)
                    ? new LinkedHashSet<>()
                    : new LinkedHashSet<>(selection.get(category))));
  }

  /** The box of a category, for tests. */
  public MultiSelectComboBox<String> box(String category) {
    return boxes.get(category);
  }
}
