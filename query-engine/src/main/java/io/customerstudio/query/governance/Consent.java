package io.customerstudio.query.governance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.query.Problems;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where consent comes from and how it reads (governance spec, section 5): a OneTrust-shaped table
 * or query of receipts (subject, purpose, status, timestamp) joined to the parent on {@code
 * parentColumn}.
 *
 * <ul>
 *   <li>The latest receipt per (subject, purpose) by timestamp wins; two latest receipts with the
 *       same timestamp are a tie, which blocks. A receipt without a timestamp is older than any
 *       with one.
 *   <li>Subjects and the parent's column are compared trimmed and case-insensitively; so are
 *       purposes, and statuses trimmed and upper-cased.
 *   <li>{@code ACTIVE} and {@code ALWAYS_ACTIVE} allow; every other status blocks.
 *   <li>No receipt: {@link #missing} decides, per purpose or by default.
 * </ul>
 *
 * @param table the receipts' table ({@code schema.table}), or null when {@code sql} is given
 * @param sql a single read-only query returning the receipts, or null when {@code table} is given
 * @param parent the parent model consent applies to, or null for every parent model that has {@code
 *     parentColumn}
 * @param missingAllows per purpose (lower-cased), whether a person without a receipt is allowed
 */
public record Consent(
    String table,
    String sql,
    String subjectColumn,
    String purposeColumn,
    String statusColumn,
    String timestampColumn,
    String parentColumn,
    String parent,
    boolean missingDefaultAllows,
    Map<String, Boolean> missingAllows) {

  /** Statuses that allow; anything else blocks. */
  public static final List<String> ALLOWING = List.of("ACTIVE", "ALWAYS_ACTIVE");

  /** Statuses OneTrust documents, all blocking except {@link #ALLOWING}: for pages and docs. */
  public static final List<String> KNOWN_STATUSES =
      List.of(
          "ACTIVE",
          "ALWAYS_ACTIVE",
          "OPT_OUT",
          "WITHDRAWN",
          "HARD_OPT_OUT",
          "NO_CONSENT",
          "EXPIRED",
          "PENDING");

  private static final Set<String> FIELDS =
      Set.of(
          "source",
          "subjectColumn",
          "purposeColumn",
          "statusColumn",
          "timestampColumn",
          "parentColumn",
          "parent",
          "missing");
  private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
  private static final Pattern TABLE = Pattern.compile(IDENT.pattern() + "\\." + IDENT.pattern());

  public Consent {
    missingAllows = Map.copyOf(missingAllows);
  }

  /** A purpose as compared: trimmed, lower-case. */
  public static String purpose(String p) {
    return p.strip().toLowerCase(Locale.ROOT);
  }

  /** Whether a person without a receipt for the purpose is allowed. */
  public boolean missingAllows(String purpose) {
    return missingAllows.getOrDefault(purpose(purpose), missingDefaultAllows);
  }

  /** Whether a receipt's status allows (trimmed, case-insensitive). */
  public static boolean allows(String status) {
    return status != null && ALLOWING.contains(status.strip().toUpperCase(Locale.ROOT));
  }

  /** The API's JSON shape. */
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    ObjectNode source = o.putObject("source");
    if (table != null) {
      source.put("table", table);
    } else {
      source.put("sql", sql);
    }
    o.put("subjectColumn", subjectColumn)
        .put("purposeColumn", purposeColumn)
        .put("statusColumn", statusColumn)
        .put("timestampColumn", timestampColumn)
        .put("parentColumn", parentColumn);
    if (parent != null) {
      o.put("parent", parent);
    }
    ObjectNode missing = o.putObject("missing");
    missing.put("default", missingDefaultAllows ? "allow" : "block");
    ObjectNode purposes = missing.putObject("purposes");
    new java.util.TreeMap<>(missingAllows)
        .forEach((k, v) -> purposes.put(k, v ? "allow" : "block"));
    return o;
  }

  /**
   * Reads the API's shape, reporting every problem with its JSON path. Whether the table, the query
   * and the columns exist is the caller's check (it needs the warehouse). Returns null on problems.
   */
  public static Consent read(JsonNode json, String path, Problems problems) {
    int before = problems.list().size();
    if (json == null || !json.isObject()) {
      problems.add(path, "must be an object: source, the four receipt columns and parentColumn");
      return null;
    }
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        problems.add(path + "." + f, Problems.unknown("field", f, "consent", FIELDS));
      }
    }
    String table = null;
    String sql = null;
    JsonNode source = json.get("source");
    if (source == null || !source.isObject()) {
      problems.add(
          path + ".source",
          "is required: {\"table\": \"schema.table\"} or {\"sql\": \"select ...\"}");
    } else {
      for (Iterator<String> it = source.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!f.equals("table") && !f.equals("sql")) {
          problems.add(
              path + ".source." + f,
              Problems.unknown("field", f, "a source", List.of("table", "sql")));
        }
      }
      JsonNode t = source.get("table");
      JsonNode s = source.get("sql");
      boolean hasT = t != null && !t.isNull();
      boolean hasS = s != null && !s.isNull();
      if (hasT == hasS) {
        problems.add(path + ".source", "needs exactly one of table and sql");
      } else if (hasT) {
        if (!t.isTextual() || !TABLE.matcher(t.asText()).matches()) {
          problems.add(path + ".source.table", "must be schema.table");
        } else {
          table = t.asText();
        }
      } else if (!s.isTextual() || s.asText().isBlank()) {
        problems.add(path + ".source.sql", "must be a single read-only query");
      } else if (s.asText().length() > 20_000) {
        problems.add(path + ".source.sql", "must be at most 20,000 characters");
      } else {
        sql = s.asText();
      }
    }
    String[] columns = new String[5];
    String[] names = {
      "subjectColumn", "purposeColumn", "statusColumn", "timestampColumn", "parentColumn"
    };
    for (int i = 0; i < names.length; i++) {
      JsonNode c = json.get(names[i]);
      if (c == null || !c.isTextual() || !IDENT.matcher(c.asText()).matches()) {
        problems.add(path + "." + names[i], "is required: a column name");
      } else {
        columns[i] = c.asText();
      }
    }
    String parent = null;
    JsonNode p = json.get("parent");
    if (p != null && !p.isNull()) {
      if (!p.isTextual() || !IDENT.matcher(p.asText()).matches()) {
        problems.add(path + ".parent", "must name a parent model");
      } else {
        parent = p.asText();
      }
    }
    boolean defaultAllows = false;
    Map<String, Boolean> perPurpose = new LinkedHashMap<>();
    JsonNode missing = json.get("missing");
    if (missing != null && !missing.isNull()) {
      if (!missing.isObject()) {
        problems.add(path + ".missing", "must be {\"default\": \"block\", \"purposes\": {...}}");
      } else {
        for (Iterator<String> it = missing.fieldNames(); it.hasNext(); ) {
          String f = it.next();
          if (!f.equals("default") && !f.equals("purposes")) {
            problems.add(
                path + ".missing." + f,
                Problems.unknown("field", f, "missing", List.of("default", "purposes")));
          }
        }
        JsonNode d = missing.get("default");
        if (d != null && !d.isNull()) {
          Boolean b = allowOrBlock(d);
          if (b == null) {
            problems.add(path + ".missing.default", "must be \"allow\" or \"block\"");
          } else {
            defaultAllows = b;
          }
        }
        JsonNode ps = missing.get("purposes");
        if (ps != null && !ps.isNull()) {
          if (!ps.isObject()) {
            problems.add(path + ".missing.purposes", "must map purposes to \"allow\" or \"block\"");
          } else {
            for (Iterator<Map.Entry<String, JsonNode>> it = ps.fields(); it.hasNext(); ) {
              var e = it.next();
              Boolean b = allowOrBlock(e.getValue());
              if (e.getKey().isBlank() || e.getKey().length() > 200) {
                problems.add(path + ".missing.purposes", "purposes must be 1 to 200 characters");
              } else if (b == null) {
                problems.add(
                    path + ".missing.purposes." + e.getKey(), "must be \"allow\" or \"block\"");
              } else {
                perPurpose.put(purpose(e.getKey()), b);
              }
            }
          }
        }
      }
    }
    if (problems.list().size() > before) {
      return null;
    }
    return new Consent(
        table,
        sql,
        columns[0],
        columns[1],
        columns[2],
        columns[3],
        columns[4],
        parent,
        defaultAllows,
        perPurpose);
  }

  private static Boolean allowOrBlock(JsonNode v) {
    if (!v.isTextual()) {
      return null;
    }
    return switch (v.asText()) {
      case "allow" -> Boolean.TRUE;
      case "block" -> Boolean.FALSE;
      default -> null;
    };
  }
}
