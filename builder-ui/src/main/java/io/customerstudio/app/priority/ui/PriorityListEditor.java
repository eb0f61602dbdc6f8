package io.customerstudio.app.priority.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.grid.dnd.GridDropLocation;
import com.vaadin.flow.component.grid.dnd.GridDropMode;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.renderer.LitRenderer;
import io.customerstudio.app.base.ui.Chart;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.priority.PriorityListService;
import io.customerstudio.app.priority.PriorityListService.Candidate;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.engine.PriorityPreview;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One priority list being edited: its key (new lists only), name and audiences in rank order,
 * reordered by dragging rows (or the arrows), added from the audiences of the same parent that no
 * other list holds, and the preview of what the order does. Saving is the view's: this form only
 * holds the draft ({@link #command()}).
 *
 * <p>For browser tests: the grid is {@code #priority-audiences}; every row's audience cell is a
 * {@code span.priority-rank} carrying {@code data-audience} and {@code data-rank} (0 = highest),
 * which a real mouse drag (HTML5 drag and drop) can grab and drop between rows.
 */
public class PriorityListEditor extends VerticalLayout {

  private final PriorityListService lists;
  private final TextField key = new TextField("Key");
  private final TextField name = new TextField("Name");
  private final Grid<Candidate> ranked = new Grid<>();
  private final ComboBox<Candidate> adding = new ComboBox<>("Add an audience");
  private final Paragraph parent = new Paragraph();
  private final Grid<PriorityPreview.Rank> preview = new Grid<>();
  private final Chart chart = new Chart();
  private final Paragraph previewStatus = new Paragraph();
  private final HorizontalLayout actions = new HorizontalLayout();
  private final List<Candidate> items = new ArrayList<>();
  private Candidate dragged;
  private String editing;

  PriorityListEditor(PriorityListService lists) {
    this.lists = lists;
    setPadding(false);
    key.setId("priority-key");
    key.setHelperText("lower-case letters, digits, '-' or '_'; cannot change later");
    name.setId("priority-name");
    name.setWidth("24em");
    HorizontalLayout fields = new HorizontalLayout(key, name);

    ranked.setId("priority-audiences");
    ranked.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
    ranked.setAllRowsVisible(true);
    ranked.setPartNameGenerator(c -> "priority-row");
    ranked
        .addColumn(
            LitRenderer.<Candidate>of(
                    "<span class=\"priority-rank\" data-audience=\"${item.key}\""
                        + " data-rank=\"${item.rank}\">${item.rank1}. ${item.name}"
                        + " <small style=\"color: var(--lumo-secondary-text-color)\">"
                        + "${item.key}</small></span>")
                .withProperty("key", Candidate::key)
                .withProperty("name", Candidate::name)
                .withProperty("rank", items::indexOf)
                .withProperty("rank1", c -> items.indexOf(c) + 1))
        .setHeader("Audience, highest priority first")
        .setFlexGrow(3);
    ranked
        .addComponentColumn(this::actions)
        .setKey("actions")
        .setHeader("")
        .setAutoWidth(true)
        .setFlexGrow(0);
    ranked.setRowsDraggable(true);
    ranked.setDropMode(GridDropMode.BETWEEN);
    ranked.addDragStartListener(
        e -> dragged = e.getDraggedItems().isEmpty() ? null : e.getDraggedItems().get(0));
    ranked.addDragEndListener(e -> dragged = null);
    ranked.addDropListener(
        e -> {
          Candidate target = e.getDropTargetItem().orElse(null);
          if (dragged == null || target == null || dragged.equals(target)) {
            return;
          }
          int from = items.indexOf(dragged);
          int insertAt =
              items.indexOf(target) + (e.getDropLocation() == GridDropLocation.BELOW ? 1 : 0);
          move(dragged.key(), insertAt > from ? insertAt - 1 : insertAt);
        });

    adding.setId("priority-add");
    adding.setWidth("24em");
    adding.setItemLabelGenerator(c -> c.name() + " · " + c.key());
    adding.addValueChangeListener(
        e -> {
          if (e.getValue() != null) {
            add(e.getValue().key());
            adding.clear();
          }
        });
    parent.setId("priority-parent");
    HorizontalLayout addRow = new HorizontalLayout(adding, parent);
    addRow.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);

    Button showPreview = new Button("Preview", VaadinIcon.CHART.create(), e -> showPreview());
    showPreview.setId("priority-preview-show");
    showPreview.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    preview.setId("priority-preview");
    preview.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_COLUMN_BORDERS);
    preview.setAllRowsVisible(true);
    preview.addColumn(PriorityPreview.Rank::audience).setHeader("Audience").setAutoWidth(true);
    preview.addColumn(r -> String.format("%,d", r.members())).setHeader("Members");
    preview.addColumn(r -> String.format("%,d", r.kept())).setHeader("Kept");
    preview
        .addColumn(
            r ->
                r.lostTo().isEmpty()
                    ? "—"
                    : r.lostTo().stream()
                        .map(l -> l.audience() + ": " + String.format("%,d", l.members()))
                        .collect(Collectors.joining(", ")))
        .setHeader("Lost to a higher rank")
        .setFlexGrow(3);
    preview.setVisible(false);
    chart.setId("priority-preview-chart");
    chart.setVisible(false);
    previewStatus.setId("priority-preview-status");
    HorizontalLayout previewTop = new HorizontalLayout(new H4("What this order does"), showPreview);
    previewTop.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);

    add(
        fields,
        new Paragraph(
            "A member of several audiences below is sent only with the highest one: drag the rows"
                + " to change the order. Every sync of a lower audience excludes them (reason"
                + " \"priority\")."),
        ranked,
        addRow,
        actions,
        previewTop,
        previewStatus,
        preview,
        chart);
  }

  /** Places the view's buttons (save, delete) under the audiences. */
  void actions(Component... buttons) {
    actions.add(buttons);
  }

  /** Shows a saved list, or a new empty one ({@code list} null). */
  void edit(PriorityListService.PriorityListView list) {
    editing = list == null ? null : list.key();
    key.setValue(list == null ? "" : list.key());
    key.setReadOnly(list != null);
    key.setInvalid(false);
    name.setValue(list == null ? "" : list.name());
    name.setInvalid(false);
    items.clear();
    if (list != null) {
      Map<String, Candidate> all =
          lists.candidates().stream().collect(Collectors.toMap(Candidate::key, c -> c));
      for (String a : list.audiences()) {
        items.add(all.getOrDefault(a, new Candidate(a, a, list.parent(), list.key())));
      }
    }
    preview.setVisible(false);
    chart.setVisible(false);
    previewStatus.setText("");
    refresh();
  }

  /** The key of the saved list being edited; null for a new one. */
  String editing() {
    return editing;
  }

  /** The draft as a save takes it. */
  PriorityListService.Command command() {
    return new PriorityListService.Command(
        editing != null ? editing : key.getValue().strip(), name.getValue(), audiences());
  }

  /** The audiences' keys, highest rank first. */
  public List<String> audiences() {
    return items.stream().map(Candidate::key).toList();
  }

  /** Moves an audience so it ends at {@code index} (0 = highest); what a drop does. */
  public void move(String audience, int index) {
    Candidate c = find(audience);
    items.remove(c);
    items.add(Math.max(0, Math.min(index, items.size())), c);
    refresh();
  }

  /** Adds an audience at the lowest rank. */
  public void add(String audience) {
    Candidate c =
        lists.candidates().stream()
            .filter(x -> x.key().equals(audience))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no audience '" + audience + "'"));
    if (!audiences().contains(audience)) {
      items.add(c);
    }
    refresh();
  }

  public void remove(String audience) {
    items.remove(find(audience));
    refresh();
  }

  /** Validation problems of a save, each next to its field or as a notification. */
  void showProblems(ValidationException e) {
    for (var p : e.problems()) {
      TextField field =
          switch (p.path()) {
            case "$.key" -> key;
            case "$.name" -> name;
            default -> null;
          };
      if (field != null) {
        field.setErrorMessage(p.message());
        field.setInvalid(true);
      } else {
        Notifications.error(p.path() + ": " + p.message());
      }
    }
  }

  /** Computes the preview of the order shown (saved or not): a table and a stacked bar chart. */
  void showPreview() {
    if (items.isEmpty()) {
      previewStatus.setText("Add audiences to see what the order does.");
      return;
    }
    Notifications.attempt(() -> lists.previewDraft(editing, audiences()))
        .ifPresent(
            p -> {
              preview.setItems(p.audiences());
              preview.setVisible(true);
              chart.setOption(chartOption(p));
              chart.setVisible(true);
              long lost = p.audiences().stream().mapToLong(r -> r.members() - r.kept()).sum();
              previewStatus.setText(
                  String.format("%,d memberships go to a higher-ranked audience instead.", lost));
            });
  }

  /** Per audience, a stacked bar: kept, then the members lost to each higher rank. */
  static ObjectNode chartOption(PriorityListService.Preview p) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode opt = f.objectNode();
    opt.putObject("tooltip").put("trigger", "axis");
    ArrayNode legend = opt.putObject("legend").put("top", 0).putArray("data");
    opt.putObject("grid").put("left", 60).put("right", 20).put("top", 40).put("bottom", 40);
    ArrayNode names = opt.putObject("xAxis").put("type", "category").putArray("data");
    opt.putObject("yAxis").put("type", "value");
    ArrayNode series = opt.putArray("series");
    List<PriorityPreview.Rank> ranks = p.audiences();
    ObjectNode kept = series.addObject().put("type", "bar").put("name", "kept");
    kept.put("stack", "members");
    legend.add("kept");
    ArrayNode keptData = kept.putArray("data");
    ranks.forEach(r -> keptData.add(r.kept()));
    // one series per audience that wins members from lower ones: all but the lowest
    for (int j = 0; j < ranks.size() - 1; j++) {
      String winner = ranks.get(j).audience();
      String label = "lost to " + winner;
      legend.add(label);
      ObjectNode s = series.addObject().put("type", "bar").put("name", label);
      s.put("stack", "members");
      ArrayNode data = s.putArray("data");
      for (PriorityPreview.Rank r : ranks) {
        data.add(
            r.lostTo().stream()
                .filter(l -> l.audience().equals(winner))
                .mapToLong(PriorityPreview.Loss::members)
                .findFirst()
                .orElse(0));
      }
    }
    ranks.forEach(r -> names.add(r.audience()));
    return opt;
  }

  private Component actions(Candidate c) {
    Button up = new Button(VaadinIcon.ARROW_UP.create(), e -> move(c.key(), items.indexOf(c) - 1));
    up.setId("priority-up-" + c.key());
    up.setAriaLabel("Move " + c.name() + " up");
    up.setEnabled(items.indexOf(c) > 0);
    Button down =
        new Button(VaadinIcon.ARROW_DOWN.create(), e -> move(c.key(), items.indexOf(c) + 1));
    down.setId("priority-down-" + c.key());
    down.setAriaLabel("Move " + c.name() + " down");
    down.setEnabled(items.indexOf(c) < items.size() - 1);
    Button remove = new Button(VaadinIcon.CLOSE_SMALL.create(), e -> remove(c.key()));
    remove.setId("priority-remove-" + c.key());
    remove.setAriaLabel("Remove " + c.name());
    for (Button b : List.of(up, down, remove)) {
      b.addThemeVariants(ButtonVariant.LUMO_TERTIARY_INLINE, ButtonVariant.LUMO_SMALL);
    }
    return new HorizontalLayout(up, down, remove);
  }

  private Candidate find(String audience) {
    return items.stream()
        .filter(x -> x.key().equals(audience))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("'" + audience + "' is not in the list"));
  }

  /** Redraws the rows and offers what may be added: same parent, in no other list, not here. */
  private void refresh() {
    ranked.setItems(new ArrayList<>(items));
    String over = items.isEmpty() ? null : items.get(0).parent();
    List<String> here = audiences();
    parent.setText(over == null ? "" : "Audiences over " + over);
    adding.setItems(
        lists.candidates().stream()
            .filter(c -> c.list() == null || Objects.equals(c.list(), editing))
            .filter(c -> over == null || c.parent().equals(over))
            .filter(c -> !here.contains(c.key()))
            .toList());
  }
}
