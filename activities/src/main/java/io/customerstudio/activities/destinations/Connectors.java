package io.customerstudio.activities.destinations;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The destination types and how each is configured: which config fields are secrets (stored sealed,
 * never shown), what a valid config is, and the connector made from it.
 */
public final class Connectors {

  /** A destination type: its name and its secret fields. */
  public record Type(String name, List<String> secretFields) {}

  public static final Type WEBHOOK = new Type("webhook", List.of("signingSecret"));
  public static final Type POSTGRES = new Type("postgres", List.of("password"));
  public static final Type FILE = new Type("file", List.of());

  private static final java.util.regex.Pattern HEADER_NAME =
      java.util.regex.Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]{1,100}");
  private static final java.util.regex.Pattern HEADER_VALUE =
      java.util.regex.Pattern.compile("[\\t\\x20-\\x7e\\x80-\\xff]{0,8000}");

  private Connectors() {}

  public static List<Type> types() {
    return List.of(WEBHOOK, POSTGRES, FILE);
  }

  public static Type type(String name) {
    return types().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
  }

  /**
   * How long the delivery core rides out an outage of this destination before a run fails: the
   * config's {@code outageBudgetMinutes} (every type may set it), else the default.
   */
  public static java.time.Duration outageBudget(JsonNode config, java.time.Duration fallback) {
    JsonNode minutes = config.path("outageBudgetMinutes");
    return minutes.canConvertToInt() && minutes.intValue() >= 1
        ? java.time.Duration.ofMinutes(minutes.intValue())
        : fallback;
  }

  /** Problems with a config (secrets included), as {@code field: message}; empty when usable. */
  public static List<String> problems(
      String type, JsonNode config, Map<String, String> secrets, Path exportRoot) {
    List<String> out = new ArrayList<>();
    JsonNode budget = config.path("outageBudgetMinutes");
    if (!budget.isMissingNode()
        && !budget.isNull()
        && (!budget.canConvertToInt() || budget.intValue() < 1 || budget.intValue() > 10_080)) {
      out.add("outageBudgetMinutes: a whole number of minutes from 1 to 10080 (a week)");
    }
    if ("file".equals(type)) {
      try {
        FileConnector.Config c = file(config, exportRoot);
        out.addAll(c.problems());
        if (c.directory() != null && !c.directory().normalize().startsWith(exportRoot)) {
          out.add(
              "directory: must be inside the export directory "
                  + exportRoot
                  + " (STUDIO_EXPORT_DIR)");
        }
      } catch (IllegalArgumentException e) {
        out.add(e.getMessage());
      }
      return out;
    }
    if ("postgres".equals(type)) {
      try {
        out.addAll(postgres(config).problems());
      } catch (IllegalArgumentException e) {
        out.add(e.getMessage());
      }
      return out;
    }
    if (!"webhook".equals(type)) {
      out.add("type: one of " + types().stream().map(Type::name).toList());
      return out;
    }
    WebhookConnector.Config c;
    try {
      c = webhook(config);
    } catch (IllegalArgumentException e) {
      out.add(e.getMessage());
      return out;
    }
    out.addAll(c.problems());
    String secret = secrets.get("signingSecret");
    if (secret == null || secret.length() < 16) {
      out.add("signingSecret: give a signing secret of at least 16 characters");
    }
    return out;
  }

  /** Opens a stored destination, its secrets unsealed with the master key. */
  public static Connector open(
      io.customerstudio.infra.store.DestinationStore.Destination d,
      io.customerstudio.infra.secrets.SecretBox box,
      Path exportRoot,
      Clock clock) {
    try {
      com.fasterxml.jackson.databind.ObjectMapper json =
          new com.fasterxml.jackson.databind.ObjectMapper();
      return open(d.type(), json.readTree(d.config()), unsealed(d, box), exportRoot, clock);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("destination " + d.key() + " has no readable config", e);
    }
  }

  /** A stored destination's secrets, unsealed: field to value. */
  public static Map<String, String> unsealed(
      io.customerstudio.infra.store.DestinationStore.Destination d,
      io.customerstudio.infra.secrets.SecretBox box) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    try {
      new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(d.secrets())
          .fields()
          .forEachRemaining(e -> out.put(e.getKey(), box.unseal(e.getValue().asText())));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("destination " + d.key() + " has unreadable secrets", e);
    }
    return out;
  }

  /**
   * A connector from stored settings and their unsealed secrets ({@link SecretSettings}: header
   * values and URL credentials are put back here, and only here).
   */
  public static Connector open(
      String type, JsonNode stored, Map<String, String> secrets, Path exportRoot, Clock clock) {
    JsonNode config = SecretSettings.merge(type, stored, secrets);
    List<String> problems = problems(type, config, secrets, exportRoot);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    if ("file".equals(type)) {
      return new FileConnector(file(config, exportRoot), clock);
    }
    if ("postgres".equals(type)) {
      return new PostgresConnector(postgres(config), secrets.get("password"), clock);
    }
    return new WebhookConnector(webhook(config), secrets.get("signingSecret"), clock);
  }

  /** A relative directory is taken inside the export root. */
  private static FileConnector.Config file(JsonNode config, Path exportRoot) {
    JsonNode batch = config.path("batchSize");
    if (!batch.isMissingNode() && !batch.canConvertToInt()) {
      throw new IllegalArgumentException("batchSize: give a whole number");
    }
    String dir = config.path("directory").asText("");
    Path directory;
    try {
      directory = dir.isBlank() ? null : exportRoot.resolve(dir).toAbsolutePath().normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw new IllegalArgumentException("directory: not a path (" + e.getReason() + ")");
    }
    return new FileConnector.Config(
        directory,
        config.path("format").asText(null),
        batch.isMissingNode() ? 10_000 : batch.intValue());
  }

  private static PostgresConnector.Config postgres(JsonNode config) {
    JsonNode batch = config.path("batchSize");
    if (!batch.isMissingNode() && !batch.canConvertToInt()) {
      throw new IllegalArgumentException("batchSize: give a whole number");
    }
    return new PostgresConnector.Config(
        config.path("url").asText(null),
        config.path("user").asText(null),
        config.path("table").asText(null),
        batch.isMissingNode() ? 1000 : batch.intValue());
  }

  private static WebhookConnector.Config webhook(JsonNode config) {
    URI url;
    try {
      url = URI.create(config.path("url").asText(""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("url: not a URL; give an http or https URL with a host");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    JsonNode h = config.get("headers");
    if (h != null && !h.isNull()) {
      if (!h.isObject()) {
        throw new IllegalArgumentException("headers: give an object of header names to values");
      }
      h.fields()
          .forEachRemaining(
              e -> {
                if (!e.getValue().isTextual()) {
                  throw new IllegalArgumentException(
                      "headers." + e.getKey() + ": give a text value");
                }
                // what HttpClient would refuse at delivery time is refused when saved
                if (!HEADER_NAME.matcher(e.getKey()).matches()) {
                  throw new IllegalArgumentException(
                      "headers."
                          + e.getKey()
                          + ": a header name is letters, digits and !#$%&'*+-.^_`|~");
                }
                if (List.of("connection", "expect", "upgrade")
                    .contains(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
                  throw new IllegalArgumentException(
                      "headers." + e.getKey() + ": set by the HTTP client itself");
                }
                if (!HEADER_VALUE.matcher(e.getValue().asText()).matches()) {
                  throw new IllegalArgumentException(
                      "headers." + e.getKey() + ": a header value is one line of printable text");
                }
                headers.put(e.getKey(), e.getValue().asText());
              });
    }
    JsonNode batch = config.path("batchSize");
    JsonNode rps = config.path("requestsPerSecond");
    if (!batch.isMissingNode() && !batch.canConvertToInt()) {
      throw new IllegalArgumentException("batchSize: give a whole number");
    }
    if (!rps.isMissingNode() && !rps.isNumber()) {
      throw new IllegalArgumentException("requestsPerSecond: give a number");
    }
    return new WebhookConnector.Config(
        url,
        headers,
        batch.isMissingNode() ? 100 : batch.intValue(),
        rps.isMissingNode() ? 10 : rps.doubleValue());
  }
}
