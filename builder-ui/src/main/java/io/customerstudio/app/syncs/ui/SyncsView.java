package io.customerstudio.app.syncs.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.activities.sync.Schedule;
import io.customerstudio.activities.sync.SyncSpec;
import io.customerstudio.activities.sync.SyncTables;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.base.ui.FormErrors;
import io.customerstudio.app.base.ui.Keys;
import io.customerstudio.app.base.ui.Named;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.destinations.DestinationService;
import io.customerstudio.app.security.Roles;
import io.customerstudio.app.syncs.SyncsService;
import jakarta.annotation.security.RolesAllowed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Syncs: the list with each sync's schedule, last run and an enable switch; an editor with a
 * mapping editor that offers the audience's columns and traits and a schedule editor; Run now, a
 * dry run of the exact diff, and the way to each sync's runs.
 */
@Route("syncs")
@Menu(title = "Syncs", order = 250, icon = "vaadin:exchange")
@PageTitle("Syncs · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class SyncsView extends VerticalLayout {

  private final SyncsService syncs;
  private final AudienceService audiences;
  private final DestinationService destinations;
  private final String user;
  private final Grid<SyncsService.SyncView> grid = new Grid<>();
  private final Paragraph empty = new Paragraph();
  private Map<String, String> audienceNames = Map.of();
  private Map<String, String> destinationNames = Map.of();

  public SyncsView(
      SyncsService syncs,
      AudienceService audiences,
      DestinationService destinations,
      AuthenticationContext auth) {
    this.syncs = syncs;
    this.audiences = audiences;
    this.destinations = destinations;
    this.user = auth.getPrincipalName().orElse("unknown");
    setSizeFull();
    Button add = new Button("New sync", VaadinIcon.PLUS.create(), e -> open(null));
    add.setId("new-sync");
    add.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    HorizontalLayout top = new HorizontalLayout(new H2("Syncs"), add);
    top.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    grid.setId("syncs");
    // text columns share the room and show their whole value on hover; short ones fit theirs
    grid.addColumn(SyncsService.SyncView::name)
        .setHeader("Name")
        .setFlexGrow(2)
        .setTooltipGenerator(SyncsService.SyncView::name);
    grid.addColumn(this::route)
        .setHeader("Audience → destination")
        .setFlexGrow(2)
        .setTooltipGenerator(s -> s.audience() + " → " + s.destination());
    grid.addColumn(SyncsService.SyncView::mode).setHeader("Mode").setAutoWidth(true).setFlexGrow(0);
    grid.addColumn(SyncsService.SyncView::scheduleText)
        .setHeader("Schedule")
        .setFlexGrow(2)
        .setTooltipGenerator(SyncsService.SyncView::scheduleText);
    grid.addComponentColumn(
            s -> {
              Checkbox on = new Checkbox(s.enabled());
              on.setId("sync-enabled-" + s.key());
              on.setAriaLabel("Enabled");
              on.addValueChangeListener(
                  e -> {
                    if (e.isFromClient()) {
                      syncs.setEnabled(s.key(), e.getValue(), user);
                      Notifications.success(
                          (e.getValue() ? "Enabled " : "Disabled ") + "sync '" + s.name() + "'.");
                      refresh();
                    }
                  });
              return on;
            })
        .setHeader("Enabled")
        .setAutoWidth(true)
        .setFlexGrow(0);
    grid.addComponentColumn(
            s ->
                s.lastRun() == null
                    ? new Span("never run")
                    : RunBadges.status(s.lastRun().status()))
        .setHeader("Last run")
        .setAutoWidth(true)
        .setFlexGrow(0);
    grid.addComponentColumn(this::actions).setKey("actions").setAutoWidth(true).setFlexGrow(0);
    empty.setId("syncs-empty");
    add(top, empty, grid);
    refresh();
  }

  private HorizontalLayout actions(SyncsService.SyncView s) {
    Button run = new Button("Run now", VaadinIcon.PLAY.create(), e -> runNow(s));
    run.setId("sync-run-" + s.key());
    run.setEnabled(s.enabled());
    run.addThemeVariants(ButtonVariant.LUMO_SMALL);
    Button dry = new Button("Dry run", e -> dryRun(s));
    dry.setId("sync-dry-run-" + s.key());
    dry.addThemeVariants(ButtonVariant.LUMO_SMALL);
    Button runs =
        new Button(
            "Runs",
            e ->
                getUI()
                    .ifPresent(
                        ui -> ui.navigate(SyncRunsView.class, SyncRunsView.params(s.key()))));
    runs.setId("sync-runs-" + s.key());
    runs.addThemeVariants(ButtonVariant.LUMO_SMALL, ButtonVariant.LUMO_TERTIARY);
    Button edit = new Button("Edit", e -> open(s));
    edit.setId("sync-edit-" + s.key());
    edit.addThemeVariants(ButtonVariant.LUMO_SMALL, ButtonVariant.LUMO_TERTIARY);
    return new HorizontalLayout(run, dry, runs, edit);
  }

  /** "Loyal members → CRM webhook": names, as people know them (the keys are in the tooltip). */
  private String route(SyncsService.SyncView s) {
    return audienceNames.getOrDefault(s.audience(), s.audience())
        + " → "
        + destinationNames.getOrDefault(s.destination(), s.destination());
  }

  void refresh() {
    audienceNames = audienceNames();
    destinationNames = destinationNames();
    var all = syncs.list();
    grid.setItems(all);
    empty.setText(
        "No syncs yet. A sync sends an audience's members to a destination: only what changed"
            + " since the last run moves.");
    empty.setVisible(all.isEmpty());
  }

  /** Saved audiences, key to name, by name. */
  private Map<String, String> audienceNames() {
    Map<String, String> names = new LinkedHashMap<>();
    audiences.list(null).stream()
        .sorted(Comparator.comparing(AudienceService.AudienceView::name))
        .forEach(a -> names.put(a.key(), a.name()));
    return names;
  }

  /** Destinations, key to name, by name. */
  private Map<String, String> destinationNames() {
    Map<String, String> names = new LinkedHashMap<>();
    destinations.list().stream()
        .sorted(Comparator.comparing(DestinationService.DestinationView::name))
        .forEach(d -> names.put(d.key(), d.name()));
    return names;
  }

  private void runNow(SyncsService.SyncView s) {
    Notifications.attempt(() -> syncs.run(s.key(), "manual"))
        .ifPresent(
            e -> {
              Notifications.success(
                  e.coalesced() ? "A run was already queued; this joins it." : "Run queued.");
              getUI()
                  .ifPresent(
                      ui -> ui.navigate(RunDetailView.class, RunDetailView.params(e.runId())));
            });
  }

  private void dryRun(SyncsService.SyncView s) {
    Dialog d = new Dialog();
    d.setId("dry-run-dialog");
    d.setHeaderTitle("Dry run of " + s.name());
    d.setWidth("900px");
    try {
      io.customerstudio.activities.sync.SyncEngine.DryRun r = syncs.dryRun(s.key(), 20);
      Paragraph counts =
          new Paragraph(
              "%,d members. The next run would send %,d added, %,d changed and %,d removed rows. Nothing was sent."
                  .formatted(r.members(), r.added(), r.changed(), r.removed()));
      counts.setId("dry-run-counts");
      d.add(counts);
      d.add(sample("Added", r.addedSample(), "dry-run-added"));
      d.add(sample("Changed", r.changedSample(), "dry-run-changed"));
      d.add(sample("Removed", r.removedSample(), "dry-run-removed"));
    } catch (ApiException ex) {
      d.add(new Paragraph(ex.getMessage()));
    }
    d.getFooter().add(new Button("Close", e -> d.close()));
    d.open();
  }

  private VerticalLayout sample(String title, List<SyncTables.DiffRow> rows, String id) {
    VerticalLayout box = new VerticalLayout();
    box.setPadding(false);
    box.add(new H4(title + " (" + (rows.isEmpty() ? "none" : "first " + rows.size()) + ")"));
    if (!rows.isEmpty()) {
      Grid<SyncTables.DiffRow> g = new Grid<>();
      g.setId(id);
      g.setAllRowsVisible(rows.size() <= 8);
      g.setHeight(rows.size() <= 8 ? null : "260px");
      g.addColumn(SyncTables.DiffRow::key).setHeader("Key").setAutoWidth(true);
      g.addColumn(r -> fieldsText(r.fields()))
          .setHeader("Fields")
          .setFlexGrow(3)
          .setTooltipGenerator(r -> fieldsText(r.fields()));
      g.setItems(rows);
      box.add(g);
    }
    return box;
  }

  /** "field: value · field: value", as a person reads a row. */
  static String fieldsText(java.util.Map<String, Object> fields) {
    return fields.entrySet().stream()
        .map(e -> e.getKey() + ": " + e.getValue())
        .collect(java.util.stream.Collectors.joining(" · "));
  }

  private void open(SyncsService.SyncView current) {
    Dialog d = new Dialog();
    d.setId("sync-dialog");
    d.setWidth("820px");
    d.setHeaderTitle(current == null ? "New sync" : "Sync " + current.name());
    TextField key = new TextField("Key");
    key.setId("sync-key");
    key.setHelperText("lower-case letters, digits, - and _; filled in from the name");
    TextField name = new TextField("Name");
    name.setId("sync-name");
    Keys.fillFromName(name, key);
    ComboBox<String> audience = new ComboBox<>("Audience");
    audience.setId("sync-audience");
    audience.setRequiredIndicatorVisible(true);
    Named.picker(audience, audienceNames());
    Select<String> destination = new Select<>();
    destination.setLabel("Destination");
    destination.setId("sync-destination");
    destination.setRequiredIndicatorVisible(true);
    Named.picker(destination, destinationNames());
    Select<String> mode = new Select<>();
    mode.setLabel("Mode");
    mode.setId("sync-mode");
    mode.setItems(SyncSpec.MODES);
    mode.setItemLabelGenerator(
        m ->
            switch (m) {
              case "mirror" -> "Mirror: add, update and remove";
              case "insert" -> "Insert: new members only";
              default -> "Upsert: add and update";
            });
    mode.setValue("upsert");
    mode.setRequiredIndicatorVisible(true);
    ComboBox<String> idFrom = new ComboBox<>("Identifier from");
    idFrom.setId("sync-identifier-from");
    idFrom.setRequiredIndicatorVisible(true);
    TextField idTo = new TextField("Identifier field in the destination");
    idTo.setId("sync-identifier-to");
    idTo.setRequiredIndicatorVisible(true);
    MappingEditor mapping = new MappingEditor();
    audience.addValueChangeListener(
        e -> {
          List<String> sources = e.getValue() == null ? List.of() : syncs.sources(e.getValue());
          idFrom.setItems(sources);
          mapping.setSources(sources);
        });
    ScheduleEditor schedule = new ScheduleEditor();
    Checkbox enabled = new Checkbox("Enabled", true);
    enabled.setId("sync-enabled");
    Checkbox snapshots = new Checkbox("Keep a membership snapshot after every run");
    snapshots.setId("sync-snapshots");
    if (current != null) {
      key.setValue(current.key());
      key.setReadOnly(true);
      name.setValue(current.name());
      audience.setValue(current.audience());
      destination.setValue(current.destination());
      mode.setValue(current.mode());
      idFrom.setValue(current.identifier().from());
      idTo.setValue(current.identifier().to());
      mapping.setValue(current.mapping());
      schedule.setValue(current.schedule());
      enabled.setValue(current.enabled());
      snapshots.setValue(current.snapshots());
    }
    FormLayout form = new FormLayout(name, key, audience, destination, mode, idFrom, idTo);
    d.add(form, new H4("Fields"), mapping, new H4("Schedule"), schedule, enabled, snapshots);
    Button save =
        new Button(
            "Save",
            e -> {
              ObjectNode body = JsonNodeFactory.instance.objectNode();
              body.put("key", key.getValue().strip());
              body.put("name", name.getValue().strip());
              body.put("audience", audience.getValue() == null ? "" : audience.getValue());
              body.put("destination", destination.getValue() == null ? "" : destination.getValue());
              body.put("mode", mode.getValue());
              body.set("mapping", mapping.json());
              body.putObject("identifier")
                  .put("from", idFrom.getValue() == null ? "" : idFrom.getValue())
                  .put("to", idTo.getValue().strip());
              body.set("schedule", schedule.json());
              body.put("enabled", enabled.getValue());
              body.put("snapshots", snapshots.getValue());
              try {
                // the trigger secret matters only to real-time syncs: shown when one is made, or
                // when a sync becomes real-time (its old secret was never shown: a new one is)
                boolean realtime = schedule.isRealtime();
                if (current == null) {
                  SyncsService.Created c = syncs.create(body, user);
                  if (realtime) {
                    showSecret(c.triggerSecret(), c.sync().key());
                  }
                } else {
                  syncs.update(current.key(), body, user);
                  if (realtime && !"realtime".equals(current.schedule().type())) {
                    showSecret(syncs.rotateSecret(current.key()), current.key());
                  }
                }
                Notifications.success("Saved sync '" + name.getValue() + "'.");
                d.close();
                refresh();
              } catch (ApiException ex) {
                Map<String, HasValidation> fields = new HashMap<>();
                fields.put("$.key", key);
                fields.put("$.name", name);
                fields.put("$.audience", audience);
                fields.put("$.destination", destination);
                fields.put("$.mode", mode);
                fields.put("$.identifier.from", idFrom);
                fields.put("$.identifier.to", idTo);
                fields.putAll(mapping.fields());
                fields.putAll(schedule.fields());
                FormErrors.show(ex, fields);
              }
            });
    save.setId("sync-save");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    d.getFooter().add(new Button("Cancel", e -> d.close()), save);
    if (current != null) {
      Button rotate =
          new Button(
              "New trigger secret",
              e -> showSecret(syncs.rotateSecret(current.key()), current.key()));
      rotate.setId("sync-rotate-secret");
      rotate.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
      rotate.setVisible("realtime".equals(current.schedule().type()));
      Button delete =
          new Button(
              "Delete",
              VaadinIcon.TRASH.create(),
              e -> {
                if (Notifications.attempt(() -> syncs.delete(current.key()))) {
                  d.close();
                  refresh();
                }
              });
      delete.setId("sync-delete");
      delete.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
      d.getFooter().addComponentAsFirst(rotate);
      d.getFooter().addComponentAsFirst(delete);
    }
    d.open();
  }

  private void showSecret(String secret, String key) {
    Dialog d = new Dialog();
    d.setId("trigger-secret-dialog");
    d.setHeaderTitle("Real-time trigger secret");
    TextField value = new TextField();
    value.setId("trigger-secret");
    value.setValue(secret);
    value.setReadOnly(true);
    value.setWidthFull();
    Button copy =
        new Button(
            "Copy",
            VaadinIcon.COPY_O.create(),
            e -> {
              // the browser's clipboard API; the page is served over the app's own origin
              value
                  .getElement()
                  .executeJs("return navigator.clipboard.writeText($0)", secret)
                  .then(
                      ok -> Notifications.success("Secret copied."),
                      failed -> Notifications.error("Copy failed: select the secret and copy it."));
            });
    copy.setId("trigger-secret-copy");
    HorizontalLayout row = new HorizontalLayout(value, copy);
    row.setWidthFull();
    row.expand(value);
    row.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    d.add(
        new Paragraph(
            "POST to /api/v1/webhooks/syncs/"
                + key
                + " with X-Studio-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">"
                + " made with this secret to start a run. It is shown only now."),
        row);
    d.getFooter().add(new Button("Done", e -> d.close()));
    d.open();
  }

  /** Rows of "column or trait → destination field". */
  static final class MappingEditor extends VerticalLayout {
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

    ArrayNode json() {
      ArrayNode a = JsonNodeFactory.instance.arrayNode();
      for (int i = 0; i < froms.size(); i++) {
        a.addObject()
            .put("from", froms.get(i).getValue() == null ? "" : froms.get(i).getValue())
            .put("to", tos.get(i).getValue().strip());
      }
      return a;
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

  /** Manual, every N minutes/hours/days, cron with a time zone, or real time. */
  static final class ScheduleEditor extends HorizontalLayout {
    private final Select<String> type = new Select<>();
    private final IntegerField every = new IntegerField("Every");
    private final Select<String> unit = new Select<>();
    private final TextField cron = new TextField("Cron (min hour day month weekday)");
    private final TextField zone = new TextField("Time zone");

    ScheduleEditor() {
      setId("sync-schedule");
      type.setLabel("Runs");
      type.setId("sync-schedule-type");
      type.setItems("manual", "interval", "cron", "realtime");
      type.setItemLabelGenerator(
          t ->
              switch (t) {
                case "interval" -> "On an interval";
                case "cron" -> "On a cron schedule";
                case "realtime" -> "In real time (webhook or API trigger)";
                default -> "Manually";
              });
      every.setId("sync-schedule-every");
      every.setMin(1);
      every.setValue(1);
      unit.setId("sync-schedule-unit");
      unit.setLabel("Unit");
      unit.setItems("minutes", "hours", "days");
      unit.setValue("hours");
      cron.setId("sync-schedule-cron");
      cron.setPlaceholder("0 6 * * *");
      zone.setId("sync-schedule-zone");
      zone.setValue("UTC");
      type.addValueChangeListener(e -> show());
      type.setValue("manual");
      setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
      add(type, every, unit, cron, zone);
      show();
    }

    private void show() {
      boolean interval = "interval".equals(type.getValue());
      boolean isCron = "cron".equals(type.getValue());
      every.setVisible(interval);
      unit.setVisible(interval);
      cron.setVisible(isCron);
      zone.setVisible(isCron);
    }

    void setValue(Schedule s) {
      type.setValue(s.type());
      if ("interval".equals(s.type())) {
        Duration d = Duration.parse(s.every());
        if (d.toDays() > 0 && d.toHours() % 24 == 0) {
          every.setValue((int) d.toDays());
          unit.setValue("days");
        } else if (d.toHours() > 0 && d.toMinutes() % 60 == 0) {
          every.setValue((int) d.toHours());
          unit.setValue("hours");
        } else {
          every.setValue((int) d.toMinutes());
          unit.setValue("minutes");
        }
      }
      if ("cron".equals(s.type())) {
        cron.setValue(s.expression());
        zone.setValue(s.timezone() == null ? "UTC" : s.timezone());
      }
    }

    boolean isRealtime() {
      return "realtime".equals(type.getValue());
    }

    ObjectNode json() {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("type", type.getValue());
      if ("interval".equals(type.getValue())) {
        int n = every.getValue() == null ? 0 : every.getValue();
        Duration d =
            switch (unit.getValue()) {
              case "minutes" -> Duration.ofMinutes(n);
              case "days" -> Duration.ofDays(n);
              default -> Duration.ofHours(n);
            };
        o.put("every", d.toString());
      }
      if ("cron".equals(type.getValue())) {
        o.put("expression", cron.getValue().strip());
        o.put("timezone", zone.getValue().strip());
      }
      return o;
    }

    Map<String, HasValidation> fields() {
      return Map.of(
          "$.schedule.type", type,
          "$.schedule.every", every,
          "$.schedule.expression", cron,
          "$.schedule.timezone", zone);
    }
  }
}
