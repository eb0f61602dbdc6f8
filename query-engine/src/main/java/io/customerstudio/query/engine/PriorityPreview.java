package io.customerstudio.query.engine;

import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.compile.AudienceCompiler.Scope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jooq.CaseConditionStep;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SelectField;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * What a priority list (governance spec, section 2) does to its audiences: per audience in rank
 * order, its members, how many it keeps, and how many it loses to each higher-ranked audience. A
 * member of several listed audiences is won by the highest-ranked one containing it, so for every
 * audience {@code kept + sum(lostTo) = members}.
 *
 * <p>One warehouse query: every audience is compiled over one root scope of the parent, each row
 * gets its winner (the rank of the first audience it is in), and the rows are grouped by winner
 * with one {@code count(*) filter (where in audience i)} column per audience. A row of winner
 * {@code w} counted for audience {@code i} is kept by {@code i} when {@code w = i} and lost to
 * {@code w} otherwise ({@code w} is never lower-ranked than {@code i}).
 */
public final class PriorityPreview {

  /** One audience of the list: its members, those it keeps, those lost to each higher rank. */
  public record Rank(String audience, long members, long kept, List<Loss> lostTo) {}

  /** Members lost to a higher-ranked audience (the one that wins them). */
  public record Loss(String audience, long members) {}

  private PriorityPreview() {}

  /**
   * @param ranked the audiences' keys and definitions, highest rank first; all select one parent
   * @param path JSON path of the audience list, for problems ({@code $.audiences[i]})
   * @throws ValidationException when the list is empty, the parents differ or a definition does not
   *     compile
   */
  static List<Rank> compute(
      AudienceCompiler compiler,
      DSLContext db,
      List<Map.Entry<String, AudienceDefinition>> ranked,
      String path) {
    if (ranked.isEmpty()) {
      throw ValidationException.of(path, "give at least one audience");
    }
    Problems problems = new Problems();
    String parent = ranked.get(0).getValue().parent();
    for (int i = 1; i < ranked.size(); i++) {
      String p = ranked.get(i).getValue().parent();
      if (parent != null && !parent.equals(p)) {
        problems.add(
            path + "[" + i + "]",
            "\"" + ranked.get(i).getKey() + "\" is over " + p + "; the list is over " + parent);
      }
    }
    problems.throwIfAny();
    Scope root = compiler.compile(ranked.get(0).getValue(), path + "[0]").root();
    List<org.jooq.Condition> in = new ArrayList<>();
    for (Map.Entry<String, AudienceDefinition> e : ranked) {
      AudienceDefinition d = e.getValue();
      in.add(d.filter() == null ? DSL.trueCondition() : compiler.condition(d.filter(), root));
    }
    compiler.problems().throwIfAny();

    // per row: one flag per audience and the winner, the first audience the row is in
    List<SelectField<?>> columns = new ArrayList<>();
    CaseConditionStep<Integer> winner = DSL.when(in.get(0), DSL.inline(0));
    org.jooq.Condition any = in.get(0);
    for (int i = 1; i < in.size(); i++) {
      winner = winner.when(in.get(i), DSL.inline(i));
      any = any.or(in.get(i));
    }
    columns.add(winner.as("w"));
    for (int i = 0; i < in.size(); i++) {
      columns.add(DSL.field(in.get(i)).as("f" + i));
    }
    Table<?> m = DSL.select(columns).from(root.table()).where(any).asTable("m");

    Field<Integer> w = m.field("w", Integer.class);
    List<SelectField<?>> counts = new ArrayList<>();
    counts.add(w);
    for (int i = 0; i < in.size(); i++) {
      counts.add(
          DSL.count().filterWhere(DSL.condition(m.field("f" + i, Boolean.class))).as("c" + i));
    }
    // byWinner.get(w)[i]: members of audience i whose winner is w
    Map<Integer, long[]> byWinner = new HashMap<>();
    for (Record r : db.select(counts).from(m).groupBy(w).fetch()) {
      long[] c = new long[in.size()];
      for (int i = 0; i < c.length; i++) {
        c[i] = r.get("c" + i, Long.class);
      }
      byWinner.put(r.get(w), c);
    }

    List<Rank> ranks = new ArrayList<>();
    for (int i = 0; i < ranked.size(); i++) {
      long kept = count(byWinner, i, i);
      long members = kept;
      List<Loss> lost = new ArrayList<>();
      for (int j = 0; j < i; j++) {
        long n = count(byWinner, j, i);
        lost.add(new Loss(ranked.get(j).getKey(), n));
        members += n;
      }
      ranks.add(new Rank(ranked.get(i).getKey(), members, kept, lost));
    }
    return ranks;
  }

  private static long count(Map<Integer, long[]> byWinner, int winner, int audience) {
    long[] c = byWinner.get(winner);
    return c == null ? 0 : c[audience];
  }
}
