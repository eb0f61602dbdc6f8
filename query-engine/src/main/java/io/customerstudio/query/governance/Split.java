package io.customerstudio.query.governance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.query.Problems;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An audience's split into groups (governance spec, section 1).
 *
 * <p>Assignment is a pure function of (member key, salt): {@link #bucket} takes the first 32 bits
 * of {@code md5(salt || ':' || key)} modulo {@value #BUCKETS}, and the groups own contiguous ranges
 * of buckets in their order ({@link #bounds}). The same member keeps its group across runs,
 * restarts and machines; when percentages change, only the buckets whose owner changes move. md5 is
 * computed the same way by PostgreSQL, DuckDB and Java, so the warehouse and the app agree.
 *
 * <p>With {@code stratifyBy}, each stratum's members are ranked by the same hash and the groups
 * fill the ranks in order ({@link SplitSql}), so every stratum is split within one member of the
 * exact proportions; a member's group then also depends on who else is in its stratum.
 */
public record Split(String salt, List<Group> groups, String stratifyBy) {

  /** Buckets per split: percentages have two decimals. */
  public static final int BUCKETS = 10_000;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 _.-]{0,62}");
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  /** One group: a name, its share in percent (two decimals) and whether it is held out. */
  public record Group(String name, BigDecimal percent, boolean holdout) {
    /** The group's share in buckets. */
    public int buckets() {
      return percent.movePointRight(2).intValueExact();
    }
  }

  public Split {
    groups = List.copyOf(groups);
  }

  /**
   * Each group's exclusive upper bound in buckets, cumulative in group order; the last is 10000.
   */
  public int[] bounds() {
    int[] b = new int[groups.size()];
    int sum = 0;
    for (int i = 0; i < groups.size(); i++) {
      sum += groups.get(i).buckets();
      b[i] = sum;
    }
    return b;
  }

  /** The groups a sync delivers when it names none: every group that is not a holdout. */
  public List<String> deliveredByDefault() {
    return groups.stream().filter(g -> !g.holdout()).map(Group::name).toList();
  }

  public List<String> names() {
    return groups.stream().map(Group::name).toList();
  }

  public boolean isHoldout(String group) {
    return groups.stream().anyMatch(g -> g.name().equals(group) && g.holdout());
  }

  /** The member's bucket: the first 32 bits of md5(salt ':' key), as unsigned, mod 10000. */
  public static int bucket(String salt, String memberKey) {
    try {
      byte[] d =
          MessageDigest.getInstance("MD5")
              .digest((salt + ":" + memberKey).getBytes(StandardCharsets.UTF_8));
      long first32 =
          ((d[0] & 0xffL) << 24) | ((d[1] & 0xffL) << 16) | ((d[2] & 0xffL) << 8) | (d[3] & 0xffL);
      return (int) (first32 % BUCKETS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The group owning a bucket (unstratified assignment). */
  public String groupOf(int bucket) {
    int[] b = bounds();
    for (int i = 0; i < b.length; i++) {
      if (bucket < b[i]) {
        return groups.get(i).name();
      }
    }
    throw new IllegalArgumentException("bucket " + bucket + " is outside [0, " + BUCKETS + ")");
  }

  /** The API's JSON shape. */
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("salt", salt);
    var arr = o.putArray("groups");
    for (Group g : groups) {
      ObjectNode n = arr.addObject().put("name", g.name()).put("percent", g.percent());
      if (g.holdout()) {
        n.put("holdout", true);
      }
    }
    if (stratifyBy != null) {
      o.put("stratifyBy", stratifyBy);
    }
    return o;
  }

  /**
   * Reads a split, reporting every problem with its JSON path: unknown fields, a missing or long
   * salt, no groups, names that are empty, odd or repeated, percentages that are not in (0, 100]
   * with at most two decimals or do not sum to 100. Any number of groups may be holdouts. Whether
   * {@code stratifyBy} names a column or trait of the parent is the caller's check (it needs the
   * catalog). Returns null when there are problems.
   */
  public static Split read(JsonNode json, String path, Problems problems) {
    int before = problems.list().size();
    if (json == null || !json.isObject()) {
      problems.add(path, "must be an object with salt, groups and optionally stratifyBy");
      return null;
    }
    for (Iterator<String> it = json.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!Set.of("salt", "groups", "stratifyBy").contains(f)) {
        problems.add(
            path + "." + f,
            Problems.unknown("field", f, "a split", List.of("salt", "groups", "stratifyBy")));
      }
    }
    JsonNode salt = json.get("salt");
    if (salt == null || !salt.isTextual() || salt.asText().isBlank()) {
      problems.add(path + ".salt", "is required: any text; a new salt reshuffles every member");
    } else if (salt.asText().length() > 200) {
      problems.add(path + ".salt", "must be at most 200 characters");
    }
    JsonNode stratify = json.get("stratifyBy");
    if (stratify != null && !stratify.isNull() && !stratify.isTextual()) {
      problems.add(path + ".stratifyBy", "must be the name of a column or trait of the parent");
    }
    List<Group> groups = new ArrayList<>();
    JsonNode gs = json.get("groups");
    if (gs == null || !gs.isArray() || gs.isEmpty()) {
      problems.add(path + ".groups", "must list at least one group");
    } else if (gs.size() > 100) {
      problems.add(path + ".groups", "must have at most 100 groups");
    } else {
      Set<String> names = new HashSet<>();
      BigDecimal sum = BigDecimal.ZERO;
      for (int i = 0; i < gs.size(); i++) {
        String at = path + ".groups[" + i + "]";
        JsonNode g = gs.get(i);
        if (!g.isObject()) {
          problems.add(at, "must be an object with name, percent and optionally holdout");
          continue;
        }
        for (Iterator<String> it = g.fieldNames(); it.hasNext(); ) {
          String f = it.next();
          if (!Set.of("name", "percent", "holdout").contains(f)) {
            problems.add(
                at + "." + f,
                Problems.unknown("field", f, "a group", List.of("name", "percent", "holdout")));
          }
        }
        JsonNode name = g.get("name");
        String n = name != null && name.isTextual() ? name.asText() : null;
        if (n == null || !NAME.matcher(n).matches()) {
          problems.add(
              at + ".name",
              "is required: 1 to 63 letters, digits, spaces, '_', '.' or '-', starting with a"
                  + " letter or digit");
        } else if (!names.add(n)) {
          problems.add(at + ".name", "\"" + n + "\" names two groups; names must be unique");
        }
        JsonNode percent = g.get("percent");
        BigDecimal p = null;
        // a float too large for a double arrives as infinity, which has no decimal value
        if (percent == null
            || !percent.isNumber()
            || (percent.isFloatingPointNumber()
                && !percent.isBigDecimal()
                && !Double.isFinite(percent.doubleValue()))) {
          problems.add(at + ".percent", "is required: a number greater than 0, at most 100");
        } else {
          p = percent.decimalValue();
          if (p.signum() <= 0 || p.compareTo(HUNDRED) > 0) {
            problems.add(at + ".percent", "must be greater than 0 and at most 100");
            p = null;
          } else if (p.stripTrailingZeros().scale() > 2) {
            problems.add(at + ".percent", "allows at most two decimals (" + p + ")");
            p = null;
          }
        }
        JsonNode holdout = g.get("holdout");
        if (holdout != null && !holdout.isNull() && !holdout.isBoolean()) {
          problems.add(at + ".holdout", "must be true or false");
        }
        if (n != null && p != null) {
          sum = sum.add(p);
          groups.add(new Group(n, p.setScale(2), holdout != null && holdout.asBoolean(false)));
        }
      }
      if (groups.size() == gs.size() && sum.compareTo(HUNDRED) != 0) {
        problems.add(
            path + ".groups",
            "percentages must sum to 100; they sum to " + sum.stripTrailingZeros().toPlainString());
      }
    }
    if (problems.list().size() > before) {
      return null;
    }
    return new Split(
        salt.asText(),
        groups,
        stratify == null || stratify.isNull() || stratify.asText().isEmpty()
            ? null
            : stratify.asText());
  }
}
