package io.customerstudio.activities.destinations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which parts of a destination's settings are secret, and the two directions between the settings a
 * person gives and what is stored: {@link #split} takes the secrets out (to be sealed; what is left
 * may be shown to anyone who may read the destination), {@link #merge} puts them back for the
 * connector.
 *
 * <p>Secret are: the type's secret fields ({@link Connectors.Type#secretFields()}); every webhook
 * header value ({@code headers.<Name>}), since extra headers are how endpoints take API keys; and
 * credentials inside a PostgreSQL JDBC URL: a {@code user:password@} part (which the driver does
 * not read anyway: the user becomes {@code user}, the password the {@code password} secret), a
 * {@code password} parameter (the {@code password} secret) and any other parameter whose name holds
 * "password", such as {@code sslpassword} ({@code url.<name>}, appended again on merge).
 *
 * <p>Pure functions over JSON; no I/O, never logs.
 */
public final class SecretSettings {

  /** A header secret's name prefix: {@code headers.Authorization}. */
  public static final String HEADER = "headers.";

  /** A URL parameter secret's name prefix: {@code url.sslpassword}. */
  public static final String URL_PARAMETER = "url.";

  private static final String JDBC = "jdbc:postgresql://";

  /**
   * Settings taken apart: the part that may be shown, the secret values found, secret names the
   * settings ask to remove (a header set to null), and problems as {@code field: message}.
   */
  public record Split(
      ObjectNode open, Map<String, String> secrets, Set<String> removed, List<String> problems) {}

  private SecretSettings() {}

  /** Takes the secrets out of {@code config}, which is left unchanged. */
  public static Split split(Connectors.Type type, JsonNode config) {
    ObjectNode open =
        config != null && config.isObject()
            ? ((ObjectNode) config).deepCopy()
            : JsonNodeFactory.instance.objectNode();
    Map<String, String> secrets = new LinkedHashMap<>();
    Set<String> removed = new LinkedHashSet<>();
    List<String> problems = new ArrayList<>();
    for (String field : type.secretFields()) {
      JsonNode v = open.remove(field);
      if (v != null && !v.isNull()) {
        if (v.isTextual()) {
          secrets.put(field, v.asText());
        } else {
          problems.add(field + ": give a text value");
        }
      }
    }
    if (type.equals(Connectors.WEBHOOK)) {
      splitHeaders(open, secrets, removed, problems);
    } else if (type.equals(Connectors.POSTGRES)) {
      splitUrl(open, secrets, problems);
    }
    return new Split(open, secrets, removed, problems);
  }

  /** The settings a connector is built from: {@code open} with the secrets put back. */
  public static JsonNode merge(String type, JsonNode open, Map<String, String> secrets) {
    if (open == null || !open.isObject()) {
      return open;
    }
    ObjectNode full = ((ObjectNode) open).deepCopy();
    if (Connectors.WEBHOOK.name().equals(type)) {
      ObjectNode headers = JsonNodeFactory.instance.objectNode();
      // settings stored before header values were secret still carry them in the clear
      if (full.path("headers").isObject()) {
        headers.setAll((ObjectNode) full.get("headers"));
      }
      secrets.forEach(
          (name, value) -> {
            if (name.startsWith(HEADER)) {
              headers.put(name.substring(HEADER.length()), value);
            }
          });
      if (!headers.isEmpty()) {
        full.set("headers", headers);
      }
    } else if (Connectors.POSTGRES.name().equals(type) && full.path("url").isTextual()) {
      StringBuilder url = new StringBuilder(full.get("url").asText());
      secrets.forEach(
          (name, value) -> {
            if (name.startsWith(URL_PARAMETER)) {
              url.append(url.indexOf("?") < 0 ? '?' : '&')
                  .append(name.substring(URL_PARAMETER.length()))
                  .append('=')
                  .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
          });
      full.put("url", url.toString());
    }
    return full;
  }

  /** Whether a stored secret still means something for a destination of {@code type}. */
  public static boolean belongsTo(Connectors.Type type, String secret) {
    return type.secretFields().contains(secret)
        || (type.equals(Connectors.WEBHOOK) && secret.startsWith(HEADER))
        || (type.equals(Connectors.POSTGRES) && secret.startsWith(URL_PARAMETER));
  }

  private static void splitHeaders(
      ObjectNode open, Map<String, String> secrets, Set<String> removed, List<String> problems) {
    JsonNode headers = open.remove("headers");
    if (headers == null || headers.isNull()) {
      return;
    }
    if (!headers.isObject()) {
      problems.add("headers: give an object of header names to values");
      return;
    }
    headers
        .fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().isNull()) {
                removed.add(HEADER + e.getKey());
              } else if (e.getValue().isTextual()) {
                secrets.put(HEADER + e.getKey(), e.getValue().asText());
              } else {
                problems.add("headers." + e.getKey() + ": give a text value, or null to remove it");
              }
            });
  }

  /**
   * Takes credentials out of a PostgreSQL JDBC URL. A password given both in the URL and as the
   * {@code password} field must agree, and so must a user in the URL and the {@code user} field.
   */
  private static void splitUrl(
      ObjectNode open, Map<String, String> secrets, List<String> problems) {
    JsonNode node = open.get("url");
    if (node == null || !node.isTextual() || !node.asText().startsWith(JDBC)) {
      return;
    }
    String url = node.asText();
    int queryAt = url.indexOf('?');
    String base = queryAt < 0 ? url : url.substring(0, queryAt);
    String query = queryAt < 0 ? "" : url.substring(queryAt + 1);
    int pathAt = base.indexOf('/', JDBC.length());
    String authority = base.substring(JDBC.length(), pathAt < 0 ? base.length() : pathAt);
    String rest = pathAt < 0 ? "" : base.substring(pathAt);
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = authority.substring(0, at);
      authority = authority.substring(at + 1);
      int colon = userInfo.indexOf(':');
      String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      if (!user.isEmpty()) {
        String given = open.path("user").asText("");
        if (given.isBlank()) {
          open.put("user", user);
        } else if (!given.equals(user)) {
          problems.add("url: names user '" + user + "' but user is '" + given + "'; give one");
        }
      }
      if (colon >= 0) {
        password(decode(userInfo.substring(colon + 1)), secrets, problems);
      }
    }
    List<String> kept = new ArrayList<>();
    for (String parameter : query.isEmpty() ? new String[0] : query.split("&")) {
      int eq = parameter.indexOf('=');
      String name = eq < 0 ? parameter : parameter.substring(0, eq);
      String value = eq < 0 ? "" : decode(parameter.substring(eq + 1));
      if (name.equals("password")) {
        password(value, secrets, problems);
      } else if (name.toLowerCase(Locale.ROOT).contains("password")) {
        secrets.put(URL_PARAMETER + name, value);
      } else {
        kept.add(parameter);
      }
    }
    open.put("url", JDBC + authority + rest + (kept.isEmpty() ? "" : "?" + String.join("&", kept)));
  }

  private static void password(String value, Map<String, String> secrets, List<String> problems) {
    String given = secrets.get("password");
    if (given != null && !given.equals(value)) {
      problems.add("url: holds a password and password gives another; give it once");
    } else {
      secrets.put("password", value);
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }
}
