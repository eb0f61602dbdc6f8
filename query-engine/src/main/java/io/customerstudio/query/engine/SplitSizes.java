package io.customerstudio.query.engine;

import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.compile.AudienceCompiler.Compiled;
import io.customerstudio.query.compile.AudienceCompiler.Scope;
import io.customerstudio.query.governance.Split;
import io.customerstudio.query.governance.SplitSql;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.ColumnType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * How many of an audience's current members each group of a split holds, in one warehouse query:
 * the audience's member query, each member's group by {@link SplitSql#group} (the same assignment a
 * run makes), grouped by group and, for a stratified split, by stratum too. Nothing is held in
 * memory but the counts; at most {@link #MAX_STRATA} strata are listed (the rest only counted).
 */
public final class SplitSizes {

  /** The most strata listed one by one; the groups' totals always count every member. */
  public static final int MAX_STRATA = 100;

  /** One group: its definition and the members it holds now. */
  public record GroupSize(
      String name, java.math.BigDecimal percent, boolean holdout, long members) {}

  /** One stratum's value (null: members without one) and its members per group, in group order. */
  public record Stratum(Object value, long members, Map<String, Long> groups) {}

  /**
   * The sizes: every member, each group's share, and for a stratified split the strata (the first
   * {@link #MAX_STRATA} by value, nulls first) and how many there are in all.
   */
  public record Sizes(
      long members,
      List<GroupSize> groups,
      String stratifyBy,
      List<Stratum> strata,
      long strataCount) {}

  private SplitSizes() {}

  /**
   * The stratum's value per member: a column or a trait of the audience's parent, or a problem at
   * {@code path} naming the known ones (with "did you mean").
   */
  public static Field<?> stratum(
      Catalog catalog, AudienceCompiler compiler, Scope root, String name, String path) {
    Catalog.ModelInfo model = root.model();
    if (model.column(name).isPresent()) {
      if (model.column(name).get().type() == ColumnType.JSON) {
        throw ValidationException.of(path, "cannot stratify by a json column");
      }
      return root.field(name);
    }
    Optional<Catalog.TraitInfo> trait = catalog.trait(model, name);
    if (trait.isEmpty()) {
      throw ValidationException.of(
          path,
          Problems.unknown(
              "column or trait", name, "model \"" + model.name() + "\"", choices(catalog, model)));
    }
    if (trait.get().type() == ColumnType.JSON) {
      throw ValidationException.of(path, "cannot stratify by a json trait");
    }
    Field<?> f = compiler.traitValue(root, trait.get(), path).field();
    compiler.problems().throwIfAny();
    return f;
  }

  /** The columns and traits of {@code model} a split may be stratified by (not json ones). */
  public static List<String> choices(Catalog catalog, Catalog.ModelInfo model) {
    List<String> out = new ArrayList<>();
    model.columns().stream()
        .filter(c -> c.type() != ColumnType.JSON)
        .forEach(c -> out.add(c.name()));
    catalog.traits(model).stream()
        .filter(t -> t.type() != ColumnType.JSON)
        .forEach(t -> out.add(t.def().name()));
    return out;
  }

  static Sizes count(
      DSLContext db,
      Catalog catalog,
      AudienceCompiler compiler,
      AudienceDefinition definition,
      String path,
      Split split,
      String stratumPath) {
    Compiled c = compiler.compile(definition, path);
    Scope root = c.root();
    Field<?> stratum =
        split.stratifyBy() == null
            ? null
            : stratum(catalog, compiler, root, split.stratifyBy(), stratumPath);
    Field<String> key = c.key().cast(SQLDataType.VARCHAR);
    List<org.jooq.SelectField<?>> fields = new ArrayList<>();
    fields.add(SplitSql.group(split, key, stratum).as("g"));
    if (stratum != null) {
      fields.add(stratum.as("s"));
    }
    Table<?> m = DSL.select(fields).from(root.table()).where(c.where()).asTable("m");
    Field<String> g = m.field("g", String.class);
    Field<Integer> n = DSL.count().as("n");
    Map<String, Long> totals = new LinkedHashMap<>();
    split.groups().forEach(x -> totals.put(x.name(), 0L));
    List<Stratum> strata = new ArrayList<>();
    long strataCount = 0;
    if (stratum == null) {
      for (Record r : db.select(g, n).from(m).groupBy(g).fetch()) {
        totals.put(r.get(g), r.get(n).longValue());
      }
    } else {
      // one query: the groups' totals (grouping set (g)) first, then each stratum's groups in
      // stratum order; only the first MAX_STRATA strata are kept, the others only counted
      Field<Object> s = m.field("s", Object.class);
      Field<Integer> isTotal = DSL.grouping(s).as("t");
      strataCount =
          db.transactionResult(
              tx -> {
                long seen = 0;
                Object current = null;
                Map<String, Long> groups = null;
                // a server-side cursor: a stratum per member (an email) still streams
                try (Cursor<? extends Record> cursor =
                    tx.dsl()
                        .select(isTotal, s, g, n)
                        .from(m)
                        .groupBy(DSL.groupingSets(new Field<?>[] {g}, new Field<?>[] {s, g}))
                        .orderBy(isTotal.desc(), s.asc().nullsFirst(), g)
                        .fetchSize(1_000)
                        .fetchLazy()) {
                  for (Record r : cursor) {
                    long count = r.get(n).longValue();
                    if (r.get(isTotal) == 1) {
                      totals.put(r.get(g), count);
                      continue;
                    }
                    Object value = Values.plain(r.get(s));
                    if (seen == 0 || !java.util.Objects.equals(value, current)) {
                      current = value;
                      seen++;
                      groups = null;
                      if (strata.size() < MAX_STRATA) {
                        groups = new LinkedHashMap<>();
                        for (Split.Group x : split.groups()) {
                          groups.put(x.name(), 0L);
                        }
                        strata.add(new Stratum(value, 0, groups));
                      }
                    }
                    if (groups != null) {
                      groups.put(r.get(g), count);
                    }
                  }
                }
                return seen;
              });
      strata.replaceAll(
          x ->
              new Stratum(
                  x.value(),
                  x.groups().values().stream().mapToLong(Long::longValue).sum(),
                  x.groups()));
    }
    List<GroupSize> sizes = new ArrayList<>();
    long members = 0;
    for (Split.Group x : split.groups()) {
      long v = totals.getOrDefault(x.name(), 0L);
      sizes.add(new GroupSize(x.name(), x.percent(), x.holdout(), v));
      members += v;
    }
    return new Sizes(members, sizes, split.stratifyBy(), strata, strataCount);
  }
}
