package io.customerstudio.app.audiences.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.Key;
import com.vaadin.flow.component.KeyModifier;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.confirmdialog.ConfirmDialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.tabs.TabSheet;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.BeforeEvent;
import com.vaadin.flow.router.HasDynamicTitle;
import com.vaadin.flow.router.HasUrlParameter;
import com.vaadin.flow.router.OptionalParameter;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.audiences.PreviewRunner;
import io.customerstudio.app.base.ui.Keys;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.conditions.ConditionSources;
import io.customerstudio.app.conditions.ui.BuilderContext;
import io.customerstudio.app.conditions.ui.ConditionBuilder;
import io.customerstudio.app.conditions.ui.ConditionHandoff;
import io.customerstudio.app.security.Roles;
import io.customerstudio.app.splits.SplitService;
import io.customerstudio.app.splits.ui.SplitsTab;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.SchemaDocument;
import jakarta.annotation.security.RolesAllowed;
import java.util.List;
import java.util.Map;

/**
 * Builds one audience without SQL: details, the condition builder with a live size, and tabs for
 * members (with profiles), the SQL and explain funnel, insights, versions and (saved ones) splits.
 * {@code /audiences/edit} starts a new one ({@code ?from=key} duplicates one); {@code
 * /audiences/edit/<key>} edits a saved one.
 */
@Route("audiences/edit")
@RolesAllowed(Roles.MARKETER)
public class AudienceEditorView extends VerticalLayout
    implements HasUrlParameter<String>, HasDynamicTitle {

  private final AudienceService audiences;
  private final ConditionSources sources;
  private final PreviewRunner runner;
  private final SplitService splits;
  private final String user;

  private final H2 title = new H2();
  private final TextField name = new TextField("Name");
  private final TextField key = new TextField("Key");
  private final TextArea description = new TextArea("Description");
  private final Select<Catalog.ModelInfo> parent = new Select<>();
  private final Div builderSlot = new Div();
  private final Paragraph problems = new Paragraph();
  private final Button duplicate = new Button("Duplicate", VaadinIcon.COPY.create());
  private final Button delete = new Button("Delete", VaadinIcon.TRASH.create());

  private ObjectNode definition;
  private String savedKey;
  private BuilderContext ctx;
  private ConditionBuilder builder;
  private SizePanel size;
  private MembersPanel members;
  private ExplainPanel explain;
  private InsightsPanel insights;
  private VersionsPanel versions;
  private TabSheet tabs;
  private SizePanel.Counted lastCounted;
  private JsonNode savedDefinition;
  private com.vaadin.flow.shared.Registration closing;

  public AudienceEditorView(
      AudienceService audiences,
      ConditionSources sources,
      PreviewRunner runner,
      SplitService splits,
      AuthenticationContext auth) {
    this.audiences = audiences;
    this.splits = splits;
    this.sources = sources;
    this.runner = runner;
    this.user = auth.getPrincipalName().orElse("unknown");
    addClassName("audience-editor");
    // the fields outlive a change of audience (this view is reused when a new audience is saved
    // or duplicated): their listeners are added once, here, not on every layout
    name.setValueChangeMode(com.vaadin.flow.data.value.ValueChangeMode.EAGER);
    Keys.fillFromName(name, key);
    builderSlot.addClassName("builder-slot");
    builderSlot.setId("builder");
  }

  @Override
  public String getPageTitle() {
    return (savedKey == null ? "New audience" : name.getValue()) + " · Customer Studio";
  }

  @Override
  public void setParameter(BeforeEvent event, @OptionalParameter String param) {
    List<String> from = event.getLocation().getQueryParameters().getParameters().get("from");
    show(param, from == null || from.isEmpty() ? null : from.get(0));
  }

  /**
   * Shows the saved audience {@code param}, or a new one (a copy of {@code from} when given). The
   * same view may show another audience later (after "Save" of a new one, a duplicate, a restore).
   */
  private void show(String param, String from) {
    if (closing != null) {
      closing.remove();
      cancelComputations();
    }
    removeAll();
    lastCounted = null;
    Catalog catalog;
    try {
      catalog = sources.catalog();
    } catch (RuntimeException noSchema) {
      add(
          new H2("Audiences need a schema"),
          new Paragraph(
              "No warehouse schema is registered yet. An admin describes the warehouse under Schema first."));
      return;
    }
    List<Catalog.ModelInfo> parents =
        catalog.models().stream()
            .filter(m -> m.def().kind() == SchemaDocument.Kind.PARENT)
            .toList();
    if (param != null) {
      AudienceService.AudienceView a;
      try {
        a = audiences.get(param);
      } catch (ApiException notFound) {
        add(new H2("Audience not found"), new Paragraph(notFound.getMessage()));
        return;
      }
      savedKey = a.key();
      savedDefinition = a.definition();
      definition = (ObjectNode) a.definition().deepCopy();
      name.setValue(a.name());
      key.setValue(a.key());
      description.setValue(a.description() == null ? "" : a.description());
    } else {
      savedKey = null;
      savedDefinition = null;
      if (from != null) {
        AudienceService.AudienceView a = audiences.get(from);
        definition = (ObjectNode) a.definition().deepCopy();
        name.setValue("Copy of " + a.name());
        key.setValue(a.key() + "-copy");
        description.setValue(a.description() == null ? "" : a.description());
      } else {
        definition = JsonNodeFactory.instance.objectNode();
        definition.put("parent", parents.isEmpty() ? "" : parents.get(0).name());
        name.clear();
        key.clear();
        description.clear();
      }
    }
    layout(catalog, parents);
  }

  private void layout(Catalog catalog, List<Catalog.ModelInfo> parents) {
    title.setText(savedKey == null ? "New audience" : name.getValue());
    title.setId("audience-title");

    name.setId("audience-name");
    name.setInvalid(false);
    key.setInvalid(false);
    key.setId("audience-key");
    key.setReadOnly(savedKey != null);
    key.setHelperText(
        savedKey != null
            ? "Keys never change: syncs and API clients use them."
            : "lower-case letters, digits, - and _");
    description.setId("audience-description");
    parent.setLabel("Members are");
    parent.setId("audience-parent");
    parent.setItems(parents);
    parent.setItemLabelGenerator(Catalog.ModelInfo::name);
    Catalog.ModelInfo model =
        catalog
            .model(definition.path("parent").asText())
            .orElse(parents.isEmpty() ? null : parents.get(0));
    parent.setValue(model);
    FormLayout details = new FormLayout(name, key, parent, description);
    details.setResponsiveSteps(
        new FormLayout.ResponsiveStep("0", 1), new FormLayout.ResponsiveStep("40em", 3));
    details.setColspan(description, 3);

    Button save = new Button("Save", VaadinIcon.CHECK.create(), e -> save());
    save.setId("audience-save");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    save.addClickShortcut(Key.KEY_S, KeyModifier.CONTROL);
    save.setTooltipText("Save (Ctrl+S)");
    duplicate.setId("audience-duplicate");
    duplicate.setEnabled(savedKey != null);
    duplicate.addClickListener(
        e ->
            UI.getCurrent()
                .navigate(
                    "audiences/edit",
                    new com.vaadin.flow.router.QueryParameters(Map.of("from", List.of(savedKey)))));
    Button asTemplate =
        new Button(
            "Save as template",
            VaadinIcon.COPY_O.create(),
            e -> toTemplate(definition.get("filter")));
    asTemplate.setId("audience-as-template");
    delete.setId("audience-delete");
    delete.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
    delete.setEnabled(savedKey != null);
    delete.addClickListener(e -> confirmDelete());
    HorizontalLayout actions = new HorizontalLayout(save, duplicate, asTemplate, delete);
    HorizontalLayout header = new HorizontalLayout(title, actions);
    header.setWidthFull();
    header.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    header.expand(title);

    ctx = new BuilderContext(sources, savedKey, false, this::changed);
    ctx.setTemplateSink(this::toTemplate);
    problems.setId("builder-problems");
    problems.addClassName("builder-problems");
    problems.setVisible(false);
    size =
        new SizePanel(
            audiences,
            runner,
            () -> definition,
            this::showProblems,
            counted -> {
              lastCounted = counted;
              explain.setSql(counted.preview().sql());
              if (tabs.getSelectedIndex() == 0) {
                members.refresh();
              }
              // an exact count of the saved definition is the size the audiences list shows
              if (savedKey != null
                  && !counted.estimated()
                  && counted.definition().equals(savedDefinition)) {
                audiences.recordSize(savedKey, counted.definition(), counted.count());
              }
            });
    // the slot survives a change of audience: the previous audience's builder goes
    builderSlot.removeAll();
    HorizontalLayout work = new HorizontalLayout(builderSlot, size);
    work.setWidthFull();
    work.expand(builderSlot);
    work.addClassName("builder-work");

    members = new MembersPanel(audiences, runner, catalog, () -> definition, () -> savedKey);
    explain = new ExplainPanel(audiences, runner, () -> definition, () -> lastCounted);
    insights = new InsightsPanel(audiences, runner, () -> definition);
    versions = new VersionsPanel(this::restore);
    tabs = new TabSheet();
    tabs.setId("audience-tabs");
    tabs.setWidthFull();
    tabs.add("Members", members);
    tabs.add("SQL & explain", explain);
    tabs.add("Insights", insights);
    tabs.add("Versions", versions);
    if (savedKey != null) {
      // a split belongs to a saved audience: its groups are counted over the saved members
      tabs.add("Splits", new SplitsTab(splits, savedKey, user));
    }
    tabs.addSelectedChangeListener(
        e -> {
          if (tabs.getSelectedIndex() == 0) {
            members.refresh();
          }
        });

    parent.addValueChangeListener(
        e -> {
          if (e.isFromClient() && e.getValue() != null) {
            definition.put("parent", e.getValue().name());
            builder.setModel(e.getValue());
            members.setModel(e.getValue());
            insights.setModel(catalog, e.getValue(), savedKey);
            changed();
          }
        });

    add(header, details, problems, work, tabs);
    // the builder closed (navigation, logout) mid-computation: stop the warehouse queries
    // instead of finishing them for nobody; switching tabs keeps them running
    closing = addDetachListener(e -> cancelComputations());
    if (model != null) {
      builder = new ConditionBuilder(definition, "filter", model, ctx);
      builderSlot.add(builder);
      members.setModel(model);
      insights.setModel(catalog, model, savedKey);
    }
    if (savedKey != null) {
      versions.setVersions(audiences.versions(savedKey));
    }
    size.refresh();
  }

  private void cancelComputations() {
    size.cancel();
    members.cancel();
    explain.cancel();
    insights.cancel();
  }

  private void changed() {
    size.refresh();
  }

  private void showProblems(List<ApiException.FieldError> found) {
    List<String> general = ctx.showProblems(definition, "$.definition", found);
    problems.setText(String.join(" ", general));
    problems.setVisible(!general.isEmpty());
  }

  private void save() {
    name.setInvalid(false);
    key.setInvalid(false);
    try {
      AudienceService.AudienceView saved =
          savedKey == null
              ? audiences.create(
                  key.getValue(), name.getValue(), description.getValue(), definition, user)
              : audiences.update(
                  savedKey, name.getValue(), description.getValue(), definition, user);
      savedDefinition = saved.definition();
      if (lastCounted != null
          && !lastCounted.estimated()
          && definition.equals(lastCounted.definition())) {
        audiences.recordSize(saved.key(), definition, lastCounted.count());
      }
      Notifications.success("Saved '" + saved.name() + "' as version " + saved.version() + ".");
      if (savedKey == null) {
        UI.getCurrent().navigate(AudienceEditorView.class, saved.key());
      } else {
        title.setText(saved.name());
        versions.setVersions(audiences.versions(savedKey));
        showProblems(List.of());
      }
    } catch (ApiException e) {
      if (e.errors().isEmpty()) {
        Notifications.error(e.getMessage());
        return;
      }
      Map<String, TextField> fields = Map.of("$.name", name, "$.key", key);
      List<ApiException.FieldError> conditions = new java.util.ArrayList<>();
      for (ApiException.FieldError err : e.errors()) {
        if (fields.containsKey(err.path())) {
          fields.get(err.path()).setErrorMessage(err.message());
          fields.get(err.path()).setInvalid(true);
        } else if (err.path().startsWith("$.definition")) {
          conditions.add(new ApiException.FieldError(err.path(), err.message()));
        } else {
          Notifications.error(err.message());
        }
      }
      showProblems(conditions);
      if (!conditions.isEmpty()) {
        Notifications.error("Not saved: fix the conditions marked in red.");
      }
    } catch (io.customerstudio.query.ValidationException e) {
      showProblems(ApiException.errorsOf(e));
      Notifications.error("Not saved: fix the conditions marked in red.");
    }
  }

  /** Asks first: a restore saves the old version as the newest one, which syncs then deliver. */
  private void restore(AudienceService.VersionView v) {
    ConfirmDialog d =
        new ConfirmDialog(
            "Restore version " + v.version() + "?",
            "Version "
                + v.version()
                + " ('"
                + v.name()
                + "') is saved again as the newest version. Syncs of this audience deliver it"
                + " from their next run; unsaved changes here are dropped.",
            "Restore",
            e -> {
              try {
                audiences.restore(savedKey, v.version(), user);
                Notifications.success(
                    "Restored version " + v.version() + " as the newest version.");
                show(savedKey, null);
              } catch (ApiException refused) {
                Notifications.error(refused.getMessage());
              }
            });
    d.setCancelable(true);
    d.setId("confirm-restore");
    d.open();
  }

  private void toTemplate(JsonNode condition) {
    if (condition == null) {
      Notifications.error("Add a condition first: a template is made of conditions.");
      return;
    }
    ConditionHandoff.put(condition.deepCopy(), definition.path("parent").asText());
    UI.getCurrent().navigate("templates/edit");
  }

  private void confirmDelete() {
    ConfirmDialog d =
        new ConfirmDialog(
            "Delete '" + name.getValue() + "'?",
            "The audience and its version history are deleted. This cannot be undone.",
            "Delete",
            e -> {
              try {
                audiences.delete(savedKey, user);
                Notifications.success("Deleted '" + name.getValue() + "'.");
                UI.getCurrent().navigate(AudiencesView.class);
              } catch (ApiException refused) {
                Notifications.error(refused.getMessage());
              }
            });
    d.setConfirmButtonTheme("error primary");
    d.setCancelable(true);
    d.setId("confirm-delete");
    d.open();
  }

  /** The definition as the builder has it now (a copy): what Save would store. */
  public JsonNode definitionJson() {
    return definition.deepCopy();
  }
}
