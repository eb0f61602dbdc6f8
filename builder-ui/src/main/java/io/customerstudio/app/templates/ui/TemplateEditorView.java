package io.customerstudio.app.templates.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.BeforeEvent;
import com.vaadin.flow.router.HasUrlParameter;
import com.vaadin.flow.router.OptionalParameter;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.conditions.ConditionSources;
import io.customerstudio.app.conditions.ui.BuilderContext;
import io.customerstudio.app.conditions.ui.ConditionBuilder;
import io.customerstudio.app.conditions.ui.ConditionHandoff;
import io.customerstudio.app.security.Roles;
import io.customerstudio.app.templates.TemplateService;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.SchemaDocument;
import jakarta.annotation.security.RolesAllowed;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates or edits a template: its condition in the builder, where the code button next to a value
 * turns it into a parameter. Parameters are the placeholders the condition uses. Saving an edit
 * first shows which audiences it changes.
 */
@Route("templates/edit")
@PageTitle("Template · Customer Studio")
@RolesAllowed(Roles.MARKETER)
public class TemplateEditorView extends VerticalLayout implements HasUrlParameter<String> {

  private final TemplateService templates;
  private final ConditionSources sources;
  private final String user;
  private final TextField name = new TextField("Name");
  private final TextField key = new TextField("Key");
  private final TextArea description = new TextArea("Description");
  private final Paragraph params = new Paragraph();
  private final Paragraph problems = new Paragraph();
  private ObjectNode holder;
  private String savedKey;
  private List<String> usedBy = List.of();
  private BuilderContext ctx;

  public TemplateEditorView(
      TemplateService templates, ConditionSources sources, AuthenticationContext auth) {
    this.templates = templates;
    this.sources = sources;
    this.user = auth.getPrincipalName().orElse("unknown");
  }

  @Override
  public void setParameter(BeforeEvent event, @OptionalParameter String param) {
    removeAll();
    Catalog catalog = sources.catalog();
    holder = JsonNodeFactory.instance.objectNode();
    String modelName = null;
    if (param != null) {
      TemplateService.TemplateView t;
      try {
        t = templates.get(param);
      } catch (ApiException notFound) {
        add(new H2("Template not found"), new Paragraph(notFound.getMessage()));
        return;
      }
      savedKey = t.key();
      usedBy = t.usedBy();
      holder.set("condition", t.condition().deepCopy());
      name.setValue(t.name());
      key.setValue(t.key());
      key.setReadOnly(true);
      description.setValue(t.description() == null ? "" : t.description());
    } else {
      ConditionHandoff.Draft d = ConditionHandoff.take();
      if (d != null) {
        holder.set("condition", d.condition());
        modelName = d.model();
      }
    }
    List<Catalog.ModelInfo> parents =
        catalog.models().stream()
            .filter(m -> m.def().kind() == SchemaDocument.Kind.PARENT)
            .toList();
    String wanted = modelName;
    Catalog.ModelInfo model =
        parents.stream()
            .filter(m -> m.name().equals(wanted))
            .findFirst()
            .orElse(parents.isEmpty() ? null : parents.get(0));

    H2 title = new H2(savedKey == null ? "New template" : "Template: " + name.getValue());
    name.setId("template-name");
    key.setId("template-key");
    description.setId("template-description");
    Select<Catalog.ModelInfo> over = new Select<>();
    over.setLabel("Columns of");
    over.setHelperText("Only for choosing columns; a template works on any model that has them.");
    over.setItems(parents);
    over.setItemLabelGenerator(Catalog.ModelInfo::name);
    over.setValue(model);
    FormLayout details = new FormLayout(name, key, over, description);
    params.setId("template-params");
    problems.setId("template-problems");
    problems.addClassName("builder-problems");
    ctx = new BuilderContext(sources, null, true, this::updateParams);
    Div slot = new Div();
    ConditionBuilder builder = new ConditionBuilder(holder, "condition", model, ctx);
    slot.add(builder);
    over.addValueChangeListener(
        e -> {
          if (e.isFromClient() && e.getValue() != null) {
            slot.removeAll();
            slot.add(new ConditionBuilder(holder, "condition", e.getValue(), ctx));
          }
        });
    Button save = new Button("Save", VaadinIcon.CHECK.create(), e -> confirmSave());
    save.setId("template-save");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    Button delete = new Button("Delete", VaadinIcon.TRASH.create(), e -> delete());
    delete.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
    delete.setEnabled(savedKey != null);
    HorizontalLayout header = new HorizontalLayout(title, save, delete);
    header.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    Paragraph used =
        new Paragraph(
            usedBy.isEmpty()
                ? "Not used by any audience yet."
                : "Used by: " + String.join(", ", usedBy) + ". Saving changes them.");
    used.setId("template-used-by");
    Paragraph help =
        new Paragraph(
            "Build the condition, then press the { } button next to a value to make it a parameter that each audience fills in.");
    help.addClassName("hint");
    add(header, details, used, help, problems, slot, params);
    updateParams();
  }

  private List<String> placeholders() {
    Set<String> found = new LinkedHashSet<>();
    collect(holder.get("condition"), found);
    return new ArrayList<>(found);
  }

  private static void collect(JsonNode n, Set<String> out) {
    if (n == null) {
      return;
    }
    if (n.isObject() && n.size() == 1 && n.has("param")) {
      out.add(n.get("param").asText());
      return;
    }
    n.elements().forEachRemaining(x -> collect(x, out));
  }

  private void updateParams() {
    List<String> p = placeholders();
    params.setText(p.isEmpty() ? "No parameters." : "Parameters: " + String.join(", ", p));
  }

  private void confirmSave() {
    if (usedBy.isEmpty()) {
      save();
      return;
    }
    ConfirmDialog d =
        new ConfirmDialog(
            "Change " + usedBy.size() + " audience(s)?",
            "These audiences use this template and will select differently: "
                + String.join(", ", usedBy),
            "Save",
            e -> save());
    d.setCancelable(true);
    d.setId("confirm-template-save");
    d.open();
  }

  private void save() {
    name.setInvalid(false);
    key.setInvalid(false);
    problems.setText("");
    try {
      TemplateService.TemplateView t =
          templates.save(
              savedKey != null ? savedKey : key.getValue(),
              name.getValue(),
              description.getValue(),
              placeholders(),
              holder.get("condition"),
              user);
      Notifications.success("Saved template '" + t.name() + "'.");
      UI.getCurrent().navigate(TemplatesView.class);
    } catch (ApiException e) {
      Map<String, TextField> fields = Map.of("$.name", name, "$.key", key);
      List<ApiException.FieldError> conditions = new ArrayList<>();
      List<String> other = new ArrayList<>();
      for (ApiException.FieldError err : e.errors()) {
        if (fields.containsKey(err.path())) {
          fields.get(err.path()).setErrorMessage(err.message());
          fields.get(err.path()).setInvalid(true);
        } else if (err.path().startsWith("$.condition")) {
          conditions.add(new ApiException.FieldError(err.path(), err.message()));
        } else {
          other.add(err.message());
        }
      }
      other.addAll(ctx.showProblems(holder, "$", conditions));
      if (e.errors().isEmpty()) {
        other.add(e.getMessage());
      }
      problems.setText(String.join(" ", other));
    }
  }

  private void delete() {
    try {
      templates.delete(savedKey, user);
      Notifications.success("Deleted template '" + savedKey + "'.");
      UI.getCurrent().navigate(TemplatesView.class);
    } catch (ApiException e) {
      Notifications.error(e.getMessage());
    }
  }
}
