package io.customerstudio.app.splits.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.confirmdialog.ConfirmDialog;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.NumberField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.QueryParameters;
import io.customerstudio.app.base.ui.Chart;
import io.customerstudio.app.base.ui.FormErrors;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.app.splits.SplitService;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.engine.SplitSizes;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The "Splits" tab of a saved audience: its groups (name, percent, holdout), salt and stratum, the
 * rule about which members move when it changes, the live size of each group (a chart and numbers,
 * counted for what is on screen, saved or not), Save and Delete, and the way to its holdout log.
 * Every check is the service's; its problems show next to the field their path names.
 */
public class SplitsTab extends VerticalLayout {

  private final SplitService splits;
  private final String audience;
  private final String user;
  private final TextField salt = new TextField("Salt");
  private final ComboBox<String> stratifyBy = new ComboBox<>("Stratify by");
  private final VerticalLayout rows = new VerticalLayout();
  private final List<GroupRow> groups = new ArrayList<>();
  private final Paragraph state = new Paragraph();
  private final Chart chart = new Chart();
  private final Paragraph numbers = new Paragraph();
  private final Button delete = new Button("Delete split", VaadinIcon.TRASH.create());
  private boolean saved;

  /** One group's fields. */
  private record GroupRow(
      HorizontalLayout layout, TextField name, NumberField percent, Checkbox holdout) {}

  public SplitsTab(SplitService splits, String audience, String user) {
    this.splits = splits;
    this.audience = audience;
    this.user = user;
    setId("splits-tab");
    setPadding(false);
    state.setId("split-state");
    salt.setId("split-salt");
    salt.setHelperText("Any text; a new salt reshuffles every member");
    salt.setWidth("20em");
    stratifyBy.setId("split-stratify");
    stratifyBy.setHelperText("Optional: split each value's members in the same proportions");
    stratifyBy.setClearButtonVisible(true);
    stratifyBy.setItems(splits.stratumChoices(audience));
    stratifyBy.setWidth("20em");
    rows.setId("split-groups");
    rows.setPadding(false);
    rows.setSpacing(false);
    Button add = new Button("Add group", VaadinIcon.PLUS.create(), e -> addRow("", null, false));
    add.setId("split-add-group");
    add.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    Paragraph rule = new Paragraph(SplitService.RULE);
    rule.setId("split-rule");
    rule.getStyle().set("color", "var(--lumo-secondary-text-color)");
    Button save = new Button("Save split", VaadinIcon.CHECK.create(), e -> save());
    save.setId("split-save");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    Button sizes = new Button("Count groups", VaadinIcon.BAR_CHART.create(), e -> showSizes());
    sizes.setId("split-count");
    delete.setId("split-delete");
    delete.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
    delete.addClickListener(e -> confirmDelete());
    Button log =
        new Button(
            "Holdout log",
            VaadinIcon.EYE_SLASH.create(),
            e ->
                getUI()
                    .ifPresent(
                        ui ->
                            ui.navigate(
                                HoldoutLogView.class, QueryParameters.of("audience", audience))));
    log.setId("split-holdout-log");
    log.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    HorizontalLayout actions = new HorizontalLayout(save, sizes, delete, log);
    HorizontalLayout settings = new HorizontalLayout(salt, stratifyBy);
    settings.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    chart.setId("split-chart");
    chart.setHeight("220px");
    chart.setVisible(false);
    numbers.setId("split-numbers");
    add(state, rows, add, settings, rule, actions, new H4("Groups now"), numbers, chart);
    load();
  }

  /** Shows the saved split, or a starting point (90% delivered, 10% held out) when none. */
  private void load() {
    rows.removeAll();
    groups.clear();
    clearErrors();
    try {
      SplitService.SplitView v = splits.get(audience);
      saved = true;
      state.setText("Split since " + v.updatedAt().toLocalDate() + " by " + v.updatedBy() + ".");
      salt.setValue(v.salt());
      stratifyBy.setValue(v.stratifyBy());
      v.groups().forEach(g -> addRow(g.name(), g.percent(), g.holdout()));
    } catch (NotFoundException none) {
      saved = false;
      state.setText(
          "Not split: every member is delivered. Save groups to split it; holdout groups are"
              + " never delivered by any sync.");
      salt.setValue(audience);
      stratifyBy.clear();
      addRow("treatment", BigDecimal.valueOf(90), false);
      addRow("control", BigDecimal.valueOf(10), true);
    }
    delete.setEnabled(saved);
    numbers.setText(saved ? "" : "Save or count to see the groups' sizes.");
    chart.setVisible(false);
  }

  private void addRow(String name, BigDecimal percent, boolean holdout) {
    int i = groups.size();
    TextField n = new TextField();
    n.setPlaceholder("group name");
    n.setId("split-group-name-" + i);
    n.setValue(name);
    NumberField p = new NumberField();
    p.setPlaceholder("percent");
    p.setId("split-group-percent-" + i);
    p.setSuffixComponent(new Span("%"));
    p.setWidth("8em");
    p.setValue(percent == null ? null : percent.doubleValue());
    Checkbox h = new Checkbox("Holdout", holdout);
    h.setId("split-group-holdout-" + i);
    HorizontalLayout layout = new HorizontalLayout(n, p, h);
    GroupRow row = new GroupRow(layout, n, p, h);
    Button remove =
        new Button(
            VaadinIcon.CLOSE_SMALL.create(),
            e -> {
              rows.remove(layout);
              groups.remove(row);
            });
    remove.setId("split-group-remove-" + i);
    remove.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    remove.setAriaLabel("Remove group");
    layout.add(remove);
    layout.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    groups.add(row);
    rows.add(layout);
  }

  /** The split as it stands on screen. */
  SplitService.SplitDraft draft() {
    return new SplitService.SplitDraft(
        salt.getValue(),
        groups.stream()
            .map(
                g ->
                    new SplitService.Group(
                        g.name().getValue().strip(),
                        g.percent().getValue() == null
                            ? null
                            : BigDecimal.valueOf(g.percent().getValue()),
                        g.holdout().getValue()))
            .toList(),
        stratifyBy.getValue());
  }

  private void save() {
    clearErrors();
    try {
      splits.put(audience, draft(), user);
      Notifications.success("Saved the split.");
      load();
      showSizes();
    } catch (ValidationException e) {
      FormErrors.show(e, fields());
    } catch (NotFoundException | ConflictException e) {
      Notifications.error(e.getMessage());
    }
  }

  /** Counts the groups of what is on screen (saved or not) over the audience's members now. */
  void showSizes() {
    clearErrors();
    try {
      SplitSizes.Sizes s = splits.sizes(audience, draft());
      List<String> parts = new ArrayList<>();
      for (SplitSizes.GroupSize g : s.groups()) {
        parts.add(
            String.format(
                "%s%s: %,d (%.1f%%)",
                g.name(),
                g.holdout() ? " (holdout)" : "",
                g.members(),
                s.members() == 0 ? 0.0 : 100.0 * g.members() / s.members()));
      }
      numbers.setText(
          String.format("%,d members. ", s.members())
              + String.join(" · ", parts)
              + (s.stratifyBy() == null
                  ? ""
                  : String.format(" · %,d strata of %s", s.strataCount(), s.stratifyBy())));
      chart.setOption(option(s));
      chart.setVisible(true);
    } catch (ValidationException e) {
      FormErrors.show(e, fields());
    } catch (NotFoundException | ConflictException e) {
      Notifications.error(e.getMessage());
    }
  }

  static ObjectNode option(SplitSizes.Sizes s) {
    ObjectNode opt = JsonNodeFactory.instance.objectNode();
    opt.putObject("tooltip").put("trigger", "axis");
    opt.putObject("grid").put("left", 60).put("right", 20).put("top", 20).put("bottom", 30);
    ArrayNode names = opt.putObject("xAxis").put("type", "category").putArray("data");
    opt.putObject("yAxis").put("type", "value");
    ObjectNode series =
        opt.putArray("series").addObject().put("type", "bar").put("name", "members");
    ArrayNode data = series.putArray("data");
    for (SplitSizes.GroupSize g : s.groups()) {
      names.add(g.name());
      ObjectNode point = data.addObject().put("value", g.members());
      if (g.holdout()) {
        point.putObject("itemStyle").put("color", "#9e9e9e");
      }
    }
    return opt;
  }

  private void confirmDelete() {
    ConfirmDialog d =
        new ConfirmDialog(
            "Delete the split?",
            "Every member is delivered again, holdouts included, from the next run of each sync.",
            "Delete",
            e -> {
              if (Notifications.attempt(() -> splits.delete(audience, user))) {
                Notifications.success("Deleted the split.");
                load();
              }
            });
    d.setConfirmButtonTheme("error primary");
    d.setCancelable(true);
    d.setId("confirm-split-delete");
    d.open();
  }

  private Map<String, HasValidation> fields() {
    Map<String, HasValidation> out = new HashMap<>();
    out.put("$.salt", salt);
    out.put("$.stratifyBy", stratifyBy);
    for (int i = 0; i < groups.size(); i++) {
      out.put("$.groups[" + i + "].name", groups.get(i).name());
      out.put("$.groups[" + i + "].percent", groups.get(i).percent());
    }
    return out;
  }

  private void clearErrors() {
    salt.setInvalid(false);
    stratifyBy.setInvalid(false);
    groups.forEach(
        g -> {
          g.name().setInvalid(false);
          g.percent().setInvalid(false);
        });
  }
}
