package io.customerstudio.query.governance;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Row-level access (governance spec section 4): turns a selection of subsets ({@code {"region":
 * ["eu"]}}) into one audience condition over a parent model, to be ANDed into every query, run or
 * send it restricts. Within a category the chosen subsets are ORed; across the categories of the
 * parent they are ANDed; categories of another parent do not restrict this one.
 *
 * <p>Fails closed: a category or subset that is not defined (deleted, misspelt), a category with no
 * subsets chosen, or a subset whose condition does not read, yields a condition that matches
 * nobody, never a wider one. Pure and thread-safe.
 */
public final class Restriction {

  /** A category as stored: its parent model and each subset's condition JSON by subset key. */
  public record CategoryDef(String key, String parent, Map<String, JsonNode> subsets) {}

  /** The path prefix of restriction nodes, so an error in one names where it came from. */
  public static final String PATH = "$.restriction";

  private Restriction() {}

  /**
   * The restriction of {@code selection} on {@code parent}; empty when nothing restricts it (no
   * selection, or only categories of other parents).
   */
  public static Optional<Condition> condition(
      String parent, Map<String, List<String>> selection, Map<String, CategoryDef> categories) {
    if (selection == null || selection.isEmpty()) {
      return Optional.empty();
    }
    List<Condition> across = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : selection.entrySet()) {
      String key = e.getKey();
      CategoryDef def = categories == null ? null : categories.get(key);
      String path = PATH + "." + key;
      if (def == null) {
        // unknown category: its parent is unknown too, so it restricts every parent to nobody
        return Optional.of(nobody(path));
      }
      if (!def.parent().equals(parent)) {
        continue;
      }
      List<String> chosen = e.getValue() == null ? List.of() : e.getValue();
      List<Condition> within = new ArrayList<>();
      for (int i = 0; i < chosen.size(); i++) {
        String subsetPath = path + "[" + i + "]";
        JsonNode json = chosen.get(i) == null ? null : def.subsets().get(chosen.get(i));
        if (json == null || json.isNull()) {
          return Optional.of(nobody(subsetPath));
        }
        Problems problems = new Problems();
        Condition c = AudienceJson.readCondition(json, subsetPath, problems);
        if (c == null || !problems.isEmpty()) {
          return Optional.of(nobody(subsetPath));
        }
        within.add(c);
      }
      // an empty OR matches nobody: a category chosen with no subsets admits no row
      across.add(within.size() == 1 ? within.get(0) : new Condition.Or(path, within));
    }
    if (across.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(across.size() == 1 ? across.get(0) : new Condition.And(PATH, across));
  }

  /** {@code definition} with {@code restriction} ANDed into its filter. */
  public static AudienceDefinition apply(
      AudienceDefinition definition, Optional<Condition> restriction) {
    if (definition == null || restriction.isEmpty()) {
      return definition;
    }
    Condition r = restriction.get();
    Condition filter =
        definition.filter() == null ? r : new Condition.And(PATH, List.of(definition.filter(), r));
    return new AudienceDefinition(definition.parent(), filter);
  }

  /** A condition that holds for no row: the empty OR. */
  public static Condition nobody(String path) {
    return new Condition.Or(path, List.of());
  }
}
