package io.customerstudio.app.syncs.ui;

import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.activities.sync.SyncSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Rows of "column or trait → destination field". */
final class MappingEditor extends VerticalLayout {
  private final VerticalLayout rows = new VerticalLayout();
  private final List<ComboBox<String>> froms = new ArrayList<>();
  private final List<TextField> tos = new ArrayList<>();
  private List<String> sources = List.of();

  MappingEditor() {
    setPadding(false);
    setId("sync-mapping");
    rows.setPadding(false);
    rows.setSpacing(false);
    Button add = new Button("Add field", VaadinIcon.PLUS.create(), e -> addRow(null, ""));
    add.setId("sync-mapping-add");
    add.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    add(rows, add);
  }

  void setSources(List<String> sources) {
    this.sources = sources;
    froms.forEach(
        f -> {
          String v = f.getValue();
          f.setItems(sources);
          if (v != null && sources.contains(v)) {
            f.setValue(v);
          }
        });
  }

  void setValue(List<SyncSpec.Field> mapping) {
    mapping.forEach(f -> addRow(f.from(), f.to()));
  }

  private void addRow(String from, String to) {
    int i = froms.size();
    ComboBox<String> f = new ComboBox<>();
    f.setPlaceholder("column or trait");
    f.setId("sync-mapping-from-" + i);
    f.setItems(sources);
    f.setAllowCustomValue(false);
    if (from != null) {
      f.setItems(sources.contains(from) ? sources : List.of(from));
      f.setValue(from);
    }
    TextField t = new TextField();
    t.setPlaceholder("destination field");
    t.setId("sync-mapping-to-" + i);
    t.setValue(to);
    f.addValueChangeListener(
        e -> {
          if (t.getValue().isBlank() && e.getValue() != null) {
            t.setValue(e.getValue());
          }
        });
    Span arrow = new Span("→");
    HorizontalLayout row = new HorizontalLayout(f, arrow, t);
    Button remove =
        new Button(
            VaadinIcon.CLOSE_SMALL.create(),
            e -> {
              rows.remove(row);
              froms.remove(f);
              tos.remove(t);
            });
    remove.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    remove.setAriaLabel("Remove field");
    row.add(remove);
    row.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    froms.add(f);
    tos.add(t);
    rows.add(row);
  }

  /** The rows as they stand, a field not chosen yet as null: the service names what is missing. */
  List<SyncSpec.Field> value() {
    List<SyncSpec.Field> out = new ArrayList<>();
    for (int i = 0; i < froms.size(); i++) {
      out.add(new SyncSpec.Field(froms.get(i).getValue(), tos.get(i).getValue()));
    }
    return out;
  }

  Map<String, HasValidation> fields() {
    Map<String, HasValidation> out = new HashMap<>();
    for (int i = 0; i < froms.size(); i++) {
      out.put("$.mapping[" + i + "].from", froms.get(i));
      out.put("$.mapping[" + i + "].to", tos.get(i));
    }
    return out;
  }
}
