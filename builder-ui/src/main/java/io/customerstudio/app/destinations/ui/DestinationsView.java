package io.customerstudio.app.destinations.ui;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.HasValidation;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.NumberField;
import com.vaadin.flow.component.textfield.PasswordField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.Menu;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.spring.security.AuthenticationContext;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.base.ui.FormErrors;
import io.customerstudio.app.base.ui.Keys;
import io.customerstudio.app.base.ui.Notifications;
import io.customerstudio.app.base.ui.Times;
import io.customerstudio.app.conditions.ConditionSources;
import io.customerstudio.app.consent.ConsentService;
import io.customerstudio.app.destinations.DestinationRules;
import io.customerstudio.app.destinations.DestinationService;
import io.customerstudio.app.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import java.util.List;
import java.util.Map;

/**
 * Admins add destinations (webhooks, PostgreSQL tables, file exports) and test them. Secrets (a
 * signing secret, a password, header values) are never shown again: a saved one shows as set or
 * masked, and leaving it empty keeps it. Who may receive: consent purposes and a rule built with
 * the condition builder, with the number of an audience's members the rule keeps out.
 */
@Route("destinations")
@Menu(title = "Destinations", order = 300, icon = "vaadin:paperplane")
@PageTitle("Destinations · Customer Studio")
@RolesAllowed(Roles.ADMIN)
public class DestinationsView extends VerticalLayout {

  private final DestinationService destinations;
  private final ConditionSources sources;
  private final DestinationRules rules;
  private final ConsentService consent;
  private final String user;
  private final Grid<DestinationService.DestinationView> grid = new Grid<>();
  private final Paragraph empty = new Paragraph();

  public DestinationsView(
      DestinationService destinations,
      ConditionSources sources,
      DestinationRules rules,
      ConsentService consent,
      AuthenticationContext auth) {
    this.destinations = destinations;
    this.sources = sources;
    this.rules = rules;
    this.consent = consent;
    this.user = auth.getPrincipalName().orElse("unknown");
    Button add = new Button("New destination", VaadinIcon.PLUS.create(), e -> open(null));
    add.setId("new-destination");
    add.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    HorizontalLayout top = new HorizontalLayout(new H2("Destinations"), add);
    top.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    grid.setId("destinations");
    grid.addColumn(DestinationService.DestinationView::name).setHeader("Name");
    grid.addColumn(DestinationService.DestinationView::key).setHeader("Key");
    grid.addColumn(DestinationService.DestinationView::type).setHeader("Type");
    grid.addColumn(
            d ->
                d.config().has("directory")
                    ? d.config().path("directory").asText()
                        + " ("
                        + d.config().path("format").asText()
                        + ")"
                    : d.config().path("url").asText()
                        + (d.config().has("table")
                            ? " → " + d.config().path("table").asText()
                            : ""))
        .setHeader("Where")
        .setFlexGrow(2);
    grid.addColumn(d -> Times.minute(d.updatedAt())).setHeader("Changed at (UTC)");
    grid.addComponentColumn(
            d -> {
              Button test = new Button("Test", VaadinIcon.CONNECT.create(), e -> test(d.key()));
              test.addThemeVariants(ButtonVariant.LUMO_SMALL);
              Button edit = new Button("Edit", e -> open(d));
              edit.addThemeVariants(ButtonVariant.LUMO_SMALL, ButtonVariant.LUMO_TERTIARY);
              return new HorizontalLayout(test, edit);
            })
        .setKey("actions");
    empty.setId("destinations-empty");
    add(top, empty, grid);
    refresh();
  }

  private void refresh() {
    var all = destinations.list();
    grid.setItems(all);
    empty.setText(
        "No destinations yet. Add a webhook: Customer Studio POSTs signed JSON batches to it.");
    empty.setVisible(all.isEmpty());
  }

  private void test(String key) {
    DestinationService.TestResult r = destinations.test(key);
    if (r.ok()) {
      Notifications.success(r.message());
    } else {
      Notifications.error("Test failed: " + r.message());
    }
  }

  private void open(DestinationService.DestinationView current) {
    Dialog d = new Dialog();
    d.setId("destination-dialog");
    d.setHeaderTitle(current == null ? "New destination" : "Destination " + current.name());
    Select<String> type = new Select<>();
    type.setLabel("Type");
    type.setId("destination-type");
    type.setItems("webhook", "postgres", "file");
    type.setItemLabelGenerator(
        t ->
            switch (t) {
              case "webhook" -> "Webhook (signed JSON batches)";
              case "postgres" -> "PostgreSQL table";
              default -> "File export (CSV or JSONL per run)";
            });
    TextField directory = new TextField("Directory");
    directory.setId("destination-directory");
    directory.setHelperText(
        "Inside the export directory (STUDIO_EXPORT_DIR); relative paths go there.");
    Select<String> format = new Select<>();
    format.setLabel("Format");
    format.setId("destination-format");
    format.setItems("csv", "jsonl");
    format.setValue("csv");
    type.setValue(current == null ? "webhook" : current.type());
    type.setReadOnly(current != null);
    TextField dbUser = new TextField("Database user");
    dbUser.setId("destination-user");
    TextField table = new TextField("Table (schema.table)");
    table.setId("destination-table");
    table.setHelperText(
        "Created on the first delivery when missing: key, fields (jsonb), synced_at.");
    PasswordField dbPassword = new PasswordField("Database password");
    dbPassword.setId("destination-password");
    TextField key = new TextField("Key");
    key.setId("destination-key");
    key.setHelperText("lower-case letters, digits, - and _; filled in from the name");
    TextField name = new TextField("Name");
    name.setId("destination-name");
    Keys.fillFromName(name, key);
    TextField url = new TextField("URL");
    url.setId("destination-url");
    url.setRequiredIndicatorVisible(true);
    directory.setRequiredIndicatorVisible(true);
    format.setRequiredIndicatorVisible(true);
    dbUser.setRequiredIndicatorVisible(true);
    table.setRequiredIndicatorVisible(true);
    url.setPlaceholder("https://hooks.example.com/customer-studio");
    HeadersEditor headers = new HeadersEditor(current == null ? List.of() : current.headerNames());
    headers.setId("destination-headers");
    IntegerField batchSize = new IntegerField("Rows per batch");
    batchSize.setId("destination-batch-size");
    batchSize.setValue(100);
    NumberField rps = new NumberField("Requests per second");
    rps.setId("destination-rps");
    rps.setValue(10.0);
    IntegerField outageBudget = new IntegerField("Outage budget (minutes)");
    outageBudget.setId("destination-outage-budget");
    outageBudget.setMin(1);
    outageBudget.setMax(10_080);
    outageBudget.setHelperText(
        "How long a run rides out this destination being down before it fails; empty: the"
            + " installation's default.");
    PasswordField secret = new PasswordField("Signing secret");
    secret.setId("destination-secret");
    secret.setHelperText(
        current == null
            ? "At least 16 characters; the endpoint checks X-Studio-Signature with it."
            : "Set. Leave empty to keep it; type a new one to replace it.");
    if (current != null) {
      key.setValue(current.key());
      key.setReadOnly(true);
      name.setValue(current.name());
      url.setValue(current.config().path("url").asText(""));
      batchSize.setValue(current.config().path("batchSize").asInt(100));
      rps.setValue(current.config().path("requestsPerSecond").asDouble(10));
      dbUser.setValue(current.config().path("user").asText(""));
      directory.setValue(current.config().path("directory").asText(""));
      format.setValue(current.config().path("format").asText("csv"));
      table.setValue(current.config().path("table").asText(""));
      if (current.config().path("outageBudgetMinutes").canConvertToInt()) {
        outageBudget.setValue(current.config().path("outageBudgetMinutes").intValue());
      }
      dbPassword.setHelperText("Set. Leave empty to keep it.");
    }
    Runnable showType =
        () -> {
          boolean webhook = "webhook".equals(type.getValue());
          boolean file = "file".equals(type.getValue());
          url.setVisible(!file);
          directory.setVisible(file);
          format.setVisible(file);
          url.setLabel(webhook ? "URL" : "JDBC URL");
          url.setHelperText(
              webhook || file
                  ? null
                  : "A password in the URL (user:password@ or password=) is kept secret like"
                      + " the password field, and never shown again.");
          url.setPlaceholder(
              webhook
                  ? "https://hooks.example.com/customer-studio"
                  : "jdbc:postgresql://db.example.com:5432/crm");
          headers.setVisible(webhook);
          rps.setVisible(webhook);
          secret.setVisible(webhook);
          dbUser.setVisible(!webhook && !file);
          table.setVisible(!webhook && !file);
          dbPassword.setVisible(!webhook && !file);
        };
    type.addValueChangeListener(e -> showType.run());
    showType.run();
    FormLayout form =
        new FormLayout(
            type,
            name,
            key,
            url,
            directory,
            format,
            dbUser,
            dbPassword,
            table,
            batchSize,
            rps,
            outageBudget,
            secret,
            headers);
    form.setColspan(url, 2);
    form.setColspan(headers, 2);
    io.customerstudio.app.subsets.ui.SubsetPicker subsets =
        new io.customerstudio.app.subsets.ui.SubsetPicker(
            "destination-subsets",
            "Only rows in these subsets reach this destination; others are excluded (reason:"
                + " subset).",
            destinations.subsetCategories());
    if (current != null) {
      subsets.setValue(current.subsets());
    }
    form.add(subsets);
    form.setColspan(subsets, 2);
    WhoMayReceiveSection who =
        new WhoMayReceiveSection(sources, rules, consent.purposeNames(), current);
    d.add(form, who);
    Button save =
        new Button(
            "Save",
            e -> {
              ObjectNode config = JsonNodeFactory.instance.objectNode();
              if ("file".equals(type.getValue())) {
                config.put("directory", directory.getValue().strip());
                config.put("format", format.getValue());
              } else {
                config.put("url", url.getValue().strip());
              }
              if (batchSize.getValue() != null) {
                config.put("batchSize", batchSize.getValue());
              }
              if (outageBudget.getValue() != null) {
                config.put("outageBudgetMinutes", outageBudget.getValue());
              }
              if ("webhook".equals(type.getValue())) {
                config.set("headers", headers.toJson());
                if (rps.getValue() != null) {
                  config.put("requestsPerSecond", rps.getValue());
                }
                if (!secret.getValue().isEmpty()) {
                  config.put("signingSecret", secret.getValue());
                }
              } else if ("postgres".equals(type.getValue())) {
                config.put("user", dbUser.getValue().strip());
                config.put("table", table.getValue().strip());
                if (!dbPassword.getValue().isEmpty()) {
                  config.put("password", dbPassword.getValue());
                }
              }
              DestinationService.WhoMayReceive receivers =
                  new DestinationService.WhoMayReceive(who.rule(), who.consentPurposes());
              try {
                if (current == null) {
                  destinations.create(
                      key.getValue(),
                      name.getValue(),
                      type.getValue(),
                      config,
                      receivers,
                      subsets.getValue(),
                      user);
                } else {
                  destinations.update(
                      current.key(),
                      name.getValue(),
                      type.getValue(),
                      config,
                      receivers,
                      subsets.getValue(),
                      user);
                }
                Notifications.success("Saved destination '" + name.getValue() + "'.");
                d.close();
                refresh();
              } catch (ApiException ex) {
                Map<String, HasValidation> fields = new java.util.HashMap<>(headers.fields());
                fields.putAll(
                    Map.<String, HasValidation>ofEntries(
                        Map.entry("$.key", key),
                        Map.entry("$.name", name),
                        Map.entry("$.config.url", url),
                        Map.entry("$.config.batchSize", batchSize),
                        Map.entry("$.config.requestsPerSecond", rps),
                        Map.entry("$.config.signingSecret", secret),
                        Map.entry("$.config.user", dbUser),
                        Map.entry("$.config.table", table),
                        Map.entry("$.config.password", dbPassword),
                        Map.entry("$.config.directory", directory),
                        Map.entry("$.config.format", format),
                        Map.entry("$.config.outageBudgetMinutes", outageBudget),
                        Map.entry("$.type", type)));
                for (int i = 0; i < who.consentPurposes().size(); i++) {
                  fields.put("$.consentPurposes[" + i + "]", who.purposesField());
                }
                List<ApiException.FieldError> ruleErrors =
                    ex.errors().stream().filter(er -> er.path().startsWith("$.rule")).toList();
                who.showProblems(ruleErrors);
                if (ruleErrors.isEmpty() || ruleErrors.size() < ex.errors().size()) {
                  FormErrors.show(
                      ruleErrors.isEmpty()
                          ? ex
                          : ApiException.invalid(
                              ex.errors().stream()
                                  .filter(er -> !er.path().startsWith("$.rule"))
                                  .toList()),
                      fields);
                }
              }
            });
    save.setId("destination-save");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    d.getFooter().add(new Button("Cancel", e -> d.close()), save);
    if (current != null) {
      Button delete =
          new Button(
              "Delete",
              VaadinIcon.TRASH.create(),
              e -> {
                if (Notifications.attempt(() -> destinations.delete(current.key(), user))) {
                  d.close();
                  refresh();
                }
              });
      delete.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
      d.getFooter().addComponentAsFirst(delete);
    }
    d.open();
  }
}
