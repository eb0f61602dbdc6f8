package io.customerstudio.app.syncs.ui;

import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextField;
import io.customerstudio.activities.sync.SyncSpec;
import io.customerstudio.app.base.ui.FormErrors;
import io.customerstudio.app.base.ui.Keys;
import io.customerstudio.app.base.ui.Named;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.errors.ConflictException;
import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.app.syncs.SyncCommand;
import io.customerstudio.app.syncs.SyncDefinitions;
import io.customerstudio.infra.store.ScheduleType;
import io.customerstudio.infra.store.SyncMode;
import io.customerstudio.query.ValidationException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The editor of one sync, new or saved: name and key, audience and destination, mode, identifier,
 * the field mapping offered from the audience's columns and traits, the schedule, and for a saved
 * one Delete and a new trigger secret. {@code onChange} runs after a save or a delete.
 */
final class SyncDialog extends Dialog {

  SyncDialog(
      SyncDefinitions syncs,
      Map<String, String> audienceNames,
      Map<String, String> destinationNames,
      String user,
      SyncDefinitions.SyncView current,
      Runnable onChange) {
    setId("sync-dialog");
    setWidth("820px");
    setHeaderTitle(current == null ? "New sync" : "Sync " + current.name());
    TextField key = new TextField("Key");
    key.setId("sync-key");
    key.setHelperText("lower-case letters, digits, - and _; filled in from the name");
    TextField name = new TextField("Name");
    name.setId("sync-name");
    Keys.fillFromName(name, key);
    ComboBox<String> audience = new ComboBox<>("Audience");
    audience.setId("sync-audience");
    audience.setRequiredIndicatorVisible(true);
    Named.picker(audience, audienceNames);
    Select<String> destination = new Select<>();
    destination.setLabel("Destination");
    destination.setId("sync-destination");
    destination.setRequiredIndicatorVisible(true);
    Named.picker(destination, destinationNames);
    Select<SyncMode> mode = new Select<>();
    mode.setLabel("Mode");
    mode.setId("sync-mode");
    mode.setItems(SyncMode.values());
    mode.setItemLabelGenerator(
        m ->
            switch (m) {
              case MIRROR -> "Mirror: add, update and remove";
              case INSERT -> "Insert: new members only";
              case UPSERT -> "Upsert: add and update";
            });
    mode.setValue(SyncMode.UPSERT);
    mode.setRequiredIndicatorVisible(true);
    ComboBox<String> idFrom = new ComboBox<>("Identifier from");
    idFrom.setId("sync-identifier-from");
    idFrom.setRequiredIndicatorVisible(true);
    TextField idTo = new TextField("Identifier field in the destination");
    idTo.setId("sync-identifier-to");
    idTo.setRequiredIndicatorVisible(true);
    MappingEditor mapping = new MappingEditor();
    MultiSelectComboBox<String> splitGroups = new MultiSelectComboBox<>("Split groups to deliver");
    splitGroups.setId("sync-split-groups");
    splitGroups.setVisible(false);
    audience.addValueChangeListener(
        e -> {
          List<String> sources = e.getValue() == null ? List.of() : syncs.sources(e.getValue());
          idFrom.setItems(e.getValue() == null ? List.of() : syncs.identifierSources(e.getValue()));
          mapping.setSources(sources);
          showSplitGroups(syncs, splitGroups, e.getValue(), null);
        });
    ScheduleEditor schedule = new ScheduleEditor();
    Checkbox enabled = new Checkbox("Enabled", true);
    enabled.setId("sync-enabled");
    Checkbox snapshots = new Checkbox("Keep a membership snapshot after every run");
    snapshots.setId("sync-snapshots");
    io.customerstudio.app.subsets.ui.SubsetPicker subsets =
        new io.customerstudio.app.subsets.ui.SubsetPicker(
            "sync-subsets",
            "Deliver only rows in these subsets; other rows are excluded (reason: subset).",
            syncs.subsetCategories());
    if (current != null) {
      subsets.setValue(current.subsets());
      key.setValue(current.key());
      key.setReadOnly(true);
      name.setValue(current.name());
      audience.setValue(current.audience());
      destination.setValue(current.destination());
      mode.setValue(current.mode());
      idFrom.setValue(current.identifier().from());
      idTo.setValue(current.identifier().to());
      mapping.setValue(current.mapping());
      showSplitGroups(syncs, splitGroups, current.audience(), current.splitGroups());
      schedule.setValue(current.schedule());
      enabled.setValue(current.enabled());
      snapshots.setValue(current.snapshots());
    }
    FormLayout form =
        new FormLayout(name, key, audience, destination, mode, idFrom, idTo, splitGroups);
    add(
        form,
        new H4("Fields"),
        mapping,
        new H4("Schedule"),
        schedule,
        enabled,
        snapshots,
        new H4("Subsets"),
        subsets);
    Button save =
        new Button(
            "Save",
            e -> {
              SyncCommand command =
                  new SyncCommand(
                      key.getValue().strip(),
                      name.getValue().strip(),
                      audience.getValue(),
                      destination.getValue(),
                      mode.getValue(),
                      mapping.value(),
                      new SyncSpec.Field(idFrom.getValue(), idTo.getValue()),
                      schedule.value(),
                      enabled.getValue(),
                      snapshots.getValue(),
                      subsets.getValue(),
                      chosenGroups(syncs, splitGroups, audience.getValue()));
              try {
                // the trigger secret matters only to real-time syncs: shown when one is made, or
                // when a sync becomes real-time (its old secret was never shown: a new one is)
                boolean realtime = schedule.isRealtime();
                if (current == null) {
                  SyncDefinitions.Created c = syncs.create(command, user);
                  if (realtime) {
                    showSecret(c.triggerSecret(), c.sync().key());
                  }
                } else {
                  syncs.update(current.key(), command, user);
                  if (realtime && current.schedule().type() != ScheduleType.REALTIME) {
                    showSecret(syncs.rotateSecret(current.key(), user), current.key());
                  }
                }
                Notifications.success("Saved sync '" + name.getValue() + "'.");
                close();
                onChange.run();
              } catch (NotFoundException | ConflictException ex) {
                Notifications.error(ex.getMessage());
              } catch (ValidationException ex) {
                Map<String, HasValidation> fields = new HashMap<>();
                fields.put("$.key", key);
                fields.put("$.name", name);
                fields.put("$.audience", audience);
                fields.put("$.destination", destination);
                fields.put("$.mode", mode);
                fields.put("$.identifier.from", idFrom);
                fields.put("$.identifier.to", idTo);
                fields.put("$.splitGroups", splitGroups);
                fields.putAll(mapping.fields());
                fields.putAll(schedule.fields());
                FormErrors.show(ex, fields);
              }
            });
    save.setId("sync-save");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    getFooter().add(new Button("Cancel", e -> close()), save);
    if (current != null) {
      Button rotate =
          new Button(
              "New trigger secret",
              e -> showSecret(syncs.rotateSecret(current.key(), user), current.key()));
      rotate.setId("sync-rotate-secret");
      rotate.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
      rotate.setVisible(current.schedule().type() == ScheduleType.REALTIME);
      Button delete =
          new Button(
              "Delete",
              VaadinIcon.TRASH.create(),
              e -> {
                if (Notifications.attempt(() -> syncs.delete(current.key(), user))) {
                  close();
                  onChange.run();
                }
              });
      delete.setId("sync-delete");
      delete.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
      getFooter().addComponentAsFirst(rotate);
      getFooter().addComponentAsFirst(delete);
    }
  }

  /**
   * Shows the split's groups to choose from when the audience has a split: the chosen ones, or (a
   * new sync, a new audience, or the default) every group that is not a holdout. Holdouts are
   * listed but cannot be chosen: they are never delivered.
   */
  private static void showSplitGroups(
      SyncDefinitions syncs,
      MultiSelectComboBox<String> field,
      String audience,
      List<String> chosen) {
    java.util.Optional<io.customerstudio.query.governance.Split> split =
        audience == null ? java.util.Optional.empty() : syncs.split(audience);
    field.setVisible(split.isPresent());
    if (split.isEmpty()) {
      field.clear();
      return;
    }
    field.setItems(split.get().deliveredByDefault());
    List<String> holdouts = split.get().names().stream().filter(split.get()::isHoldout).toList();
    field.setHelperText(
        holdouts.isEmpty()
            ? "The groups of the audience's split this sync delivers"
            : "Never delivered (holdouts): " + String.join(", ", holdouts));
    field.setValue(
        new java.util.LinkedHashSet<>(chosen == null ? split.get().deliveredByDefault() : chosen));
  }

  /**
   * The chosen groups in the split's order; null (the default, which follows later changes of the
   * split) when they are exactly the groups that are not holdouts.
   */
  private static List<String> chosenGroups(
      SyncDefinitions syncs, MultiSelectComboBox<String> field, String audience) {
    if (!field.isVisible() || audience == null) {
      return null;
    }
    io.customerstudio.query.governance.Split split = syncs.split(audience).orElse(null);
    if (split == null) {
      return null;
    }
    List<String> chosen = split.names().stream().filter(field.getValue()::contains).toList();
    return chosen.equals(split.deliveredByDefault()) ? null : chosen;
  }

  /** The trigger secret of a real-time sync, shown once, with a button that copies it. */
  static void showSecret(String secret, String key) {
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
}
