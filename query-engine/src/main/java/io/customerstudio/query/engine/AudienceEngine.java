package io.customerstudio.query.engine;

import io.customerstudio.query.Problems;
import io.customerstudio.query.ValidationException;
import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.compile.AudienceCompiler;
import io.customerstudio.query.compile.AudienceCompiler.Compiled;
import io.customerstudio.query.compile.AudienceCompiler.Scope;
import io.customerstudio.query.schema.Catalog;
import io.customerstudio.query.schema.Catalog.ModelInfo;
import io.customerstudio.query.schema.Column;
import io.customerstudio.query.schema.ColumnType;
import io.customerstudio.query.schema.SchemaDocument;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Record1;
import org.jooq.Select;
import org.jooq.SelectField;
import org.jooq.SortField;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The operations on audiences (spec section 5): count, member pages, the streamed key set, explain,
 * overlap, priority lists, breakdown, member profiles and value suggestions. Every query is
 * compiled by {@link AudienceCompiler} and runs in the warehouse; nothing holds an audience in
 * memory. Thread-safe: each call compiles afresh.
 */
public final class AudienceEngine {

  /** A preview on a deterministic sample: hash of the primary key and a seed. */
  public record Sampling(double percent, long seed) {}

  public record Preview(
      long count,
      boolean estimated,
      Long sampleCount,
      List<Map<String, Object>> sample,
      String sql) {}

  /** One step of the explain funnel: members left after the conditions up to this one. */
  public record Step(String path, String label, long count) {}

  public record Explanation(
      String sql, long count, List<Step> steps, double cost, double estimatedRows) {}

  public record Overlap(
      List<String> keys, Map<String, Long> sizes, List<Pair> pairs, long all, long union) {}

  public record Pair(String a, String b, long both) {}

  public record Bucket(Object value, Object from, Object to, long count) {}

  public record Breakdown(
      String by, String type, long total, long nulls, long other, List<Bucket> buckets) {}

  public record ValueCount(Object value, long count) {}

  public record Related(String relationship, String model, List<Map<String, Object>> rows) {}

  public record Profile(
      String model,
      Object key,
      Map<String, Object> properties,
      Map<String, Object> traits,
      List<Related> related) {}

  private static final Function<String, Optional<Condition>> UNRESTRICTED =
      parent -> Optional.empty();

  private final Catalog catalog;
  private final DSLContext db;
  private final AudienceCompiler.Resolver resolver;
  private final Function<String, Optional<Condition>> restriction;

  public AudienceEngine(Catalog catalog, DSLContext warehouse, AudienceCompiler.Resolver resolver) {
    this(catalog, warehouse, resolver, UNRESTRICTED);
  }

  private AudienceEngine(
      Catalog catalog,
      DSLContext warehouse,
      AudienceCompiler.Resolver resolver,
      Function<String, Optional<Condition>> restriction) {
    this.catalog = catalog;
    this.db = warehouse;
    this.resolver = resolver;
    this.restriction = restriction;
  }

  /**
   * This engine for a restricted user (governance spec 4): every operation ANDs {@code
   * restriction.apply(parent)} into what it counts, lists, streams or explains. Rows of other
   * models, which the restriction cannot be applied to, are not shown at all (profiles and samples
   * of them are empty, their values unsuggested) while any parent is restricted.
   */
  public AudienceEngine restrictedTo(Function<String, Optional<Condition>> restriction) {
    return new AudienceEngine(catalog, db, resolver, restriction);
  }

  /** Questions about a given set of rows by key (journeys move people in batches). */
  public KeyedRows keyed() {
    return new KeyedRows(catalog, db, resolver);
  }

  /** The restriction on {@code parent} this engine applies; empty for an unrestricted engine. */
  public Optional<Condition> restriction(String parent) {
    return restriction.apply(parent);
  }

  /** The definition with this engine's restriction on its parent ANDed in (itself if none). */
  private AudienceDefinition restricted(AudienceDefinition definition) {
    if (definition == null || definition.parent() == null) {
      return definition;
    }
    return io.customerstudio.query.governance.Restriction.apply(
        definition, restriction.apply(definition.parent()));
  }

  /** True when some parent model is restricted. */
  public boolean restricted() {
    return catalog.document().models(SchemaDocument.Kind.PARENT).stream()
        .anyMatch(m -> restriction.apply(m.name()).isPresent());
  }

  public Catalog catalog() {
    return catalog;
  }

  /** Compiles without running: every problem, with paths. */
  public Compiled compile(AudienceDefinition definition, String path, Instant asOf) {
    return compile(compiler(asOf), definition, path, true);
  }

  /** Compiles with {@code compiler}, the restriction on the parent (if any) ANDed in. */
  private Compiled compile(
      AudienceCompiler compiler, AudienceDefinition definition, String path, boolean conjunct) {
    Compiled c = compiler.compile(definition, path);
    return restrict(compiler, c.root(), conjunct)
        .map(r -> new Compiled(c.root(), c.where().and(r)))
        .orElse(c);
  }

  /** The restriction on a parent's rows, compiled over {@code scope}. */
  private Optional<org.jooq.Condition> restrict(
      AudienceCompiler compiler, Scope scope, boolean conjunct) {
    Optional<Condition> r = restriction.apply(scope.model().name());
    if (r.isEmpty()) {
      return Optional.empty();
    }
    org.jooq.Condition where =
        conjunct ? compiler.conjunct(r.get(), scope) : compiler.condition(r.get(), scope);
    compiler.problems().throwIfAny();
    return Optional.of(where);
  }

  /** True when rows of a model that is not a parent must stay hidden from this engine's user. */
  private boolean hides(ModelInfo model) {
    return model.def().kind() != SchemaDocument.Kind.PARENT && restricted();
  }

  public AudienceCompiler compiler(Instant asOf) {
    return new AudienceCompiler(catalog, resolver, asOf);
  }

  /** The SQL that selects the members' keys, values inlined: for the "SQL" tab and reviews. */
  public String sql(AudienceDefinition definition, String path, Instant asOf) {
    return db.renderInlined(keys(compile(definition, path, asOf)));
  }

  public long count(AudienceDefinition definition, String path, Instant asOf) {
    Compiled c = compile(definition, path, asOf);
    return db.fetchCount(DSL.selectOne().from(c.root().table()).where(c.where()));
  }

  public Preview preview(
      AudienceDefinition definition,
      String path,
      Instant asOf,
      Sampling sampling,
      int limit,
      List<String> columns) {
    AudienceCompiler compiler = compiler(asOf);
    boolean correlated = sampling != null && sampling.percent() <= 20;
    if (correlated) {
      compiler.correlated();
    }
    Compiled c = compile(compiler, definition, path, !correlated);
    List<SelectField<?>> fields = memberFields(compiler, c.root(), columns, "$.columns");
    org.jooq.Condition where = c.where();
    if (sampling != null) {
      where = where.and(sample(c.root(), sampling));
    }
    long count = db.fetchCount(DSL.selectOne().from(c.root().table()).where(where));
    List<Map<String, Object>> rows =
        limit <= 0
            ? List.of()
            : db.select(fields)
                .from(c.root().table())
                .where(where)
                .orderBy(c.key())
                .limit(limit)
                .fetch()
                .map(Values::row);
    String sql = db.renderInlined(keys(c));
    if (sampling == null) {
      return new Preview(count, false, null, rows, sql);
    }
    long estimate = Math.round(count * 100.0 / sampling.percent());
    return new Preview(estimate, true, count, rows, sql);
  }

  /** A page of members ordered by key, with label, chosen columns and traits. */
  public List<Map<String, Object>> page(
      AudienceDefinition definition,
      String path,
      Instant asOf,
      List<String> columns,
      int offset,
      int limit) {
    AudienceCompiler compiler = compiler(asOf);
    Compiled c = compile(compiler, definition, path, true);
    List<SelectField<?>> fields = memberFields(compiler, c.root(), columns, "$.columns");
    return db.select(fields)
        .from(c.root().table())
        .where(c.where())
        .orderBy(c.key())
        .offset(offset)
        .limit(limit)
        .fetch()
        .map(Values::row);
  }

  /**
   * The members as a query, not run: the key (named as the model's primary key), the label, and the
   * given columns and traits by name, for a caller that materializes them in the warehouse.
   */
  public org.jooq.Select<org.jooq.Record> memberQuery(
      AudienceDefinition definition, String path, Instant asOf, List<String> columns) {
    AudienceCompiler compiler = compiler(asOf);
    Compiled c = compile(compiler, definition, path, true);
    List<SelectField<?>> fields = memberFields(compiler, c.root(), columns, "$.columns");
    return DSL.select(fields).from(c.root().table()).where(c.where());
  }

  /**
   * Every member's key, in key order, through a server-side cursor: memory stays flat whatever the
   * audience's size.
   */
  public long streamKeys(
      AudienceDefinition definition, String path, Instant asOf, Consumer<Object> sink) {
    Compiled c = compile(definition, path, asOf);
    return db.transactionResult(
        tx -> {
          long n = 0;
          try (var cursor =
              tx.dsl()
                  .select(c.key())
                  .from(c.root().table())
                  .where(c.where())
                  .orderBy(c.key())
                  .fetchSize(10_000)
                  .fetchLazy()) {
            for (Record1<Object> r : cursor) {
              sink.accept(Values.plain(r.value1()));
              n++;
            }
          }
          return n;
        });
  }

  /**
   * The SQL, the members left after each top-level condition (cumulatively: a funnel for AND, a
   * growing union for OR), and the warehouse's plan cost.
   */
  public Explanation explain(AudienceDefinition definition, String path, Instant asOf) {
    AudienceCompiler compiler = compiler(asOf);
    Compiled c = compile(compiler, definition, path, true);
    Select<?> countQuery = DSL.selectCount().from(c.root().table()).where(c.where());
    long total = db.fetchCount(DSL.selectOne().from(c.root().table()).where(c.where()));
    List<Step> steps = new ArrayList<>();
    Condition filter = definition.filter();
    List<Condition> children =
        filter instanceof Condition.And a
            ? a.conditions()
            : filter instanceof Condition.Or o ? o.conditions() : List.of();
    boolean isAnd = filter instanceof Condition.And;
    if (children.size() > 1 && children.size() <= 20) {
      Scope root = c.root();
      org.jooq.Condition only = restrict(compiler, root, true).orElse(DSL.trueCondition());
      org.jooq.Condition acc = isAnd ? DSL.trueCondition() : DSL.falseCondition();
      for (Condition child : children) {
        // an AND funnel step is ANDed into the WHERE, so it may use hash joins
        org.jooq.Condition part =
            isAnd ? compiler.conjunct(child, root) : compiler.condition(child, root);
        acc = isAnd ? acc.and(part) : acc.or(part);
        steps.add(
            new Step(
                child.path(),
                Labels.of(child),
                db.fetchCount(DSL.selectOne().from(root.table()).where(acc.and(only)))));
      }
    }
    var plan = db.explain(countQuery);
    return new Explanation(db.renderInlined(keys(c)), total, steps, plan.cost(), plan.rows());
  }

  /**
   * How many of the audience's members each group of {@code split} holds now ({@link SplitSizes}),
   * in one warehouse query; a stratum that is not a column or trait of the parent is a problem at
   * {@code stratumPath}.
   */
  public SplitSizes.Sizes splitSizes(
      AudienceDefinition definition,
      String path,
      Instant asOf,
      io.customerstudio.query.governance.Split split,
      String stratumPath) {
    return SplitSizes.count(
        db, catalog, compiler(asOf), restricted(definition), path, split, stratumPath);
  }

  /** Sizes, pairwise and all-way intersections of 2 to 10 audiences on one parent, in one scan. */
  public Overlap overlap(Map<String, AudienceDefinition> audiences, String path, Instant asOf) {
    if (audiences.size() < 2 || audiences.size() > 10) {
      throw ValidationException.of(path, "compare 2 to 10 audiences, got " + audiences.size());
    }
    AudienceCompiler compiler = compiler(asOf);
    Problems problems = new Problems();
    String parent = null;
    List<String> keys = new ArrayList<>(audiences.keySet());
    for (int i = 0; i < keys.size(); i++) {
      AudienceDefinition d = audiences.get(keys.get(i));
      if (parent == null) {
        parent = d.parent();
      } else if (!parent.equals(d.parent())) {
        problems.add(
            path + "[" + i + "]",
            "\""
                + keys.get(i)
                + "\" selects \""
                + d.parent()
                + "\"; all must select \""
                + parent
                + "\"");
      }
    }
    problems.throwIfAny();
    Compiled first = compiler.compile(audiences.get(keys.get(0)), path + "[0]");
    Scope root = first.root();
    List<Field<Boolean>> flags = new ArrayList<>();
    org.jooq.Condition any = DSL.falseCondition();
    for (int i = 0; i < keys.size(); i++) {
      AudienceDefinition d = audiences.get(keys.get(i));
      org.jooq.Condition ci =
          d.filter() == null ? DSL.trueCondition() : compiler.condition(d.filter(), root);
      flags.add(DSL.field(ci).as("f" + i));
      any = any.or(ci);
    }
    compiler.problems().throwIfAny();
    // the restriction bounds the scanned rows, so every flag counts only visible members
    org.jooq.Condition visible = restrict(compiler, root, true).orElse(DSL.trueCondition());
    Table<?> m = DSL.select(flags).from(root.table()).where(any.and(visible)).asTable("m");
    List<Field<?>> aggregates = new ArrayList<>();
    aggregates.add(DSL.count().as("union"));
    for (int i = 0; i < keys.size(); i++) {
      aggregates.add(DSL.count().filterWhere(flag(m, i)).as("s" + i));
    }
    for (int i = 0; i < keys.size(); i++) {
      for (int j = i + 1; j < keys.size(); j++) {
        aggregates.add(DSL.count().filterWhere(flag(m, i).and(flag(m, j))).as("p" + i + "_" + j));
      }
    }
    org.jooq.Condition all = DSL.trueCondition();
    for (int i = 0; i < keys.size(); i++) {
      all = all.and(flag(m, i));
    }
    aggregates.add(DSL.count().filterWhere(all).as("all"));
    Record r = db.select(aggregates).from(m).fetchSingle();
    Map<String, Long> sizes = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      sizes.put(keys.get(i), r.get("s" + i, Long.class));
    }
    List<Pair> pairs = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      for (int j = i + 1; j < keys.size(); j++) {
        pairs.add(new Pair(keys.get(i), keys.get(j), r.get("p" + i + "_" + j, Long.class)));
      }
    }
    return new Overlap(keys, sizes, pairs, r.get("all", Long.class), r.get("union", Long.class));
  }

  /**
   * A priority list's effect (see {@link PriorityPreview}): per audience, highest rank first, its
   * members, those it keeps and those lost to each higher rank, in one scan.
   */
  public List<PriorityPreview.Rank> priority(
      List<Map.Entry<String, AudienceDefinition>> ranked, String path, Instant asOf) {
    List<Map.Entry<String, AudienceDefinition>> visible = new ArrayList<>();
    ranked.forEach(e -> visible.add(Map.entry(e.getKey(), restricted(e.getValue()))));
    return PriorityPreview.compute(compiler(asOf), db, visible, path);
  }

  private static org.jooq.Condition flag(Table<?> m, int i) {
    return DSL.condition(m.field("f" + i, Boolean.class));
  }

  /**
   * Members broken down by a column or trait: the top values plus "other" for strings and booleans,
   * equal-width buckets (10) for numbers and times; NULLs counted apart.
   */
  public Breakdown breakdown(
      AudienceDefinition definition,
      String path,
      Instant asOf,
      String column,
      String trait,
      int limit) {
    AudienceCompiler compiler = compiler(asOf);
    Compiled c = compile(compiler, definition, path, true);
    Scope root = c.root();
    ModelInfo model = root.model();
    Field<Object> value;
    ColumnType type;
    String by;
    if ((column == null) == (trait == null)) {
      throw ValidationException.of("$", "give exactly one of \"column\" or \"trait\"");
    }
    if (column != null) {
      Column col = column(model, column, "$.column");
      value = root.field(column);
      type = col.type();
      by = column;
    } else {
      Catalog.TraitInfo t =
          catalog
              .trait(model, trait)
              .orElseThrow(
                  () ->
                      ValidationException.of(
                          "$.trait",
                          Problems.unknown(
                              "trait",
                              trait,
                              "model \"" + model.name() + "\"",
                              catalog.traits(model).stream().map(x -> x.def().name()).toList())));
      @SuppressWarnings("unchecked")
      Field<Object> f = (Field<Object>) compiler.traitValue(root, t, "$.trait").field();
      compiler.problems().throwIfAny();
      value = f;
      type = t.type();
      by = trait;
    }
    if (type == ColumnType.JSON) {
      throw ValidationException.of(
          column != null ? "$.column" : "$.trait", "cannot break down by a json value");
    }
    int top = Math.max(1, Math.min(limit, 100));
    Table<?> m = DSL.select(value.as("v")).from(root.table()).where(c.where()).asTable("m");
    Field<Object> v = m.field("v", Object.class);
    Record totals =
        db.select(DSL.count().as("total"), DSL.count().filterWhere(v.isNull()).as("nulls"))
            .from(m)
            .fetchSingle();
    long total = totals.get("total", Long.class);
    long nulls = totals.get("nulls", Long.class);
    List<Bucket> buckets = new ArrayList<>();
    long other = 0;
    if (type == ColumnType.STRING || type == ColumnType.BOOLEAN) {
      Field<Integer> n = DSL.count().as("n");
      for (Record r :
          db.select(v, n)
              .from(m)
              .where(v.isNotNull())
              .groupBy(v)
              .orderBy(n.desc(), v.asc())
              .limit(top)
              .fetch()) {
        buckets.add(new Bucket(Values.plain(r.get(v)), null, null, r.get(n)));
      }
      long shown = buckets.stream().mapToLong(Bucket::count).sum();
      other = total - nulls - shown;
    } else {
      Field<Double> x =
          type == ColumnType.TIMESTAMP
              ? DSL.field("extract(epoch from {0})", SQLDataType.DOUBLE, v)
              : v.cast(SQLDataType.DOUBLE);
      Record range = db.select(DSL.min(x).as("lo"), DSL.max(x).as("hi")).from(m).fetchSingle();
      Double lo = range.get("lo", Double.class);
      Double hi = range.get("hi", Double.class);
      if (lo != null) {
        int n = lo.equals(hi) ? 1 : 10;
        double width = n == 1 ? 1 : (hi - lo) / n;
        Field<Integer> bucket =
            DSL.least(
                    io.customerstudio.query.sql.Dialects.widthBucket(
                        x, lo, hi + (n == 1 ? 1 : 0), n),
                    DSL.inline(n))
                .as("b");
        Map<Integer, Long> counts = new LinkedHashMap<>();
        for (Record r :
            db.select(bucket, DSL.count().as("n"))
                .from(m)
                .where(x.isNotNull())
                .groupBy(DSL.field("b"))
                .fetch()) {
          counts.put(r.get("b", Integer.class), r.get("n", Long.class));
        }
        for (int b = 1; b <= n; b++) {
          double from = lo + (b - 1) * width;
          double to = b == n ? hi : lo + b * width;
          buckets.add(
              new Bucket(null, bound(from, type), bound(to, type), counts.getOrDefault(b, 0L)));
        }
      }
    }
    return new Breakdown(by, type.json(), total, nulls, other, buckets);
  }

  private static Object bound(double v, ColumnType type) {
    if (type == ColumnType.TIMESTAMP) {
      return Instant.ofEpochMilli(Math.round(v * 1000)).toString();
    }
    return BigDecimal.valueOf(v).stripTrailingZeros();
  }

  /** Top distinct values of a column (optionally starting with {@code prefix}), for suggestions. */
  public List<ValueCount> values(String modelName, String column, String prefix, int limit) {
    ModelInfo model = model(modelName, "$.model");
    Column col = column(model, column, "$.column");
    if (col.type() == ColumnType.JSON) {
      throw ValidationException.of("$.column", "json columns have no value suggestions");
    }
    if (hides(model)) {
      return List.of();
    }
    AudienceCompiler compiler = compiler(Instant.EPOCH);
    Scope s = compiler.newScope(model);
    Field<Object> f = s.field(column);
    org.jooq.Condition where = f.isNotNull().and(visible(compiler, s));
    if (prefix != null && !prefix.isEmpty() && col.type() == ColumnType.STRING) {
      where = where.and(f.startsWithIgnoreCase(DSL.val(prefix)));
    }
    Field<Integer> n = DSL.count().as("n");
    return db.select(f, n)
        .from(s.table())
        .where(where)
        .groupBy(f)
        .orderBy(n.desc(), f.asc())
        .limit(Math.max(1, Math.min(limit, 1000)))
        .fetch()
        .map(r -> new ValueCount(Values.plain(r.get(f)), r.get(n)));
  }

  /**
   * One row of a model: its properties, its traits, the latest related rows per relationship (10)
   * and, for event models, a timeline (the latest 50 events).
   */
  public Optional<Profile> profile(String modelName, String key) {
    ModelInfo model = model(modelName, "$.model");
    AudienceCompiler compiler = compiler(Instant.now());
    Scope s = compiler.newScope(model);
    Object typedKey = key(model, key);
    if (hides(model)) {
      return Optional.empty();
    }
    Record row =
        db.select(s.table().fields())
            .from(s.table())
            .where(s.key().eq(DSL.val(typedKey, s.key().getDataType())))
            .and(visible(compiler, s))
            .fetchOne();
    if (row == null) {
      return Optional.empty();
    }
    Map<String, Object> traits = new LinkedHashMap<>();
    List<Catalog.TraitInfo> traitInfos = new ArrayList<>(catalog.traits(model));
    if (!traitInfos.isEmpty()) {
      List<SelectField<?>> fields = new ArrayList<>();
      for (Catalog.TraitInfo t : traitInfos) {
        fields.add(compiler.traitValue(s, t, "$").field().as(t.def().name()));
      }
      Record tr =
          db.select(fields)
              .from(s.table())
              .where(s.key().eq(DSL.val(typedKey, s.key().getDataType())))
              .fetchSingle();
      traits.putAll(Values.row(tr));
    }
    List<Related> related = new ArrayList<>();
    for (Catalog.Hop hop : catalog.hops(model)) {
      Scope t = compiler.newScope(hop.to());
      org.jooq.Condition link = DSL.trueCondition();
      boolean nullKey = false;
      for (int i = 0; i < hop.fromColumns().size(); i++) {
        Object v = row.get(DSL.field(DSL.name(hop.fromColumns().get(i))));
        nullKey |= v == null;
        link =
            link.and(
                t.field(hop.toColumns().get(i))
                    .eq(DSL.val(v, t.field(hop.toColumns().get(i)).getDataType())));
      }
      if (nullKey) {
        related.add(new Related(hop.relationship(), hop.to().name(), List.of()));
        continue;
      }
      SchemaDocument.Model def = hop.to().def();
      boolean events = def.kind() == SchemaDocument.Kind.EVENT;
      SortField<?> order =
          def.timestamp() != null ? t.field(def.timestamp()).desc().nullsLast() : t.key().desc();
      List<Map<String, Object>> rows =
          db.select(t.table().fields())
              .from(t.table())
              .where(link)
              .orderBy(order, t.key().desc())
              .limit(events ? 50 : 10)
              .fetch()
              .map(Values::row);
      related.add(new Related(hop.relationship(), hop.to().name(), rows));
    }
    return Optional.of(
        new Profile(modelName, Values.plain(typedKey), Values.row(row), traits, related));
  }

  /**
   * The keys (as text) of the rows of {@code parentName} this engine's user may see, as a query to
   * filter by ({@code member_key in (...)}), not run; empty when she may see them all.
   */
  public Optional<Select<Record1<String>>> visibleKeys(String parentName) {
    ModelInfo model = model(parentName, "$.model");
    if (hides(model)) {
      return Optional.of(DSL.select(DSL.inline((String) null)).where(DSL.falseCondition()));
    }
    if (restriction.apply(model.name()).isEmpty()) {
      return Optional.empty();
    }
    AudienceCompiler compiler = compiler(Instant.now());
    Scope s = compiler.newScope(model);
    Field<String> key = s.key().cast(SQLDataType.VARCHAR);
    return Optional.of(DSL.select(key).from(s.table()).where(visible(compiler, s)));
  }

  /** Of {@code keys} (as text), those this engine's user may see. */
  public java.util.Set<String> visible(String parentName, java.util.Collection<String> keys) {
    Optional<Select<Record1<String>>> only = visibleKeys(parentName);
    if (only.isEmpty() || keys.isEmpty()) {
      return new java.util.HashSet<>(keys);
    }
    Table<Record1<String>> t = only.get().asTable("v", "k");
    Field<String> k = t.field("k", String.class);
    return db.select(k).from(t).where(k.in(keys)).fetchSet(k);
  }

  /** The first rows of a model's source, in key order: the schema editor's sample. */
  public List<Map<String, Object>> sample(String modelName, int limit) {
    ModelInfo model = model(modelName, "$.model");
    if (hides(model)) {
      return List.of();
    }
    AudienceCompiler compiler = compiler(Instant.now());
    Scope s = compiler.newScope(model);
    return db.select(s.table().fields())
        .from(s.table())
        .where(visible(compiler, s))
        .orderBy(s.key())
        .limit(Math.max(0, Math.min(limit, 1000)))
        .fetch()
        .map(Values::row);
  }

  /** The rows of {@code s} this engine's user may see (all, for an unrestricted engine). */
  private org.jooq.Condition visible(AudienceCompiler compiler, Scope s) {
    return restrict(compiler, s, true).orElse(DSL.noCondition());
  }

  /** A column of {@code model}, or a validation problem at {@code path} naming the known ones. */
  private static Column column(ModelInfo model, String name, String path) {
    return model
        .column(name)
        .orElseThrow(
            () ->
                ValidationException.of(
                    path,
                    Problems.unknown(
                        "column",
                        name,
                        "model \"" + model.name() + "\"",
                        model.columnsByName().keySet())));
  }

  private ModelInfo model(String name, String path) {
    return catalog
        .model(name)
        .orElseThrow(
            () ->
                ValidationException.of(
                    path, Problems.unknown("model", name, null, catalog.modelNames())));
  }

  /** A key from a URL, typed like the primary key column. */
  private static Object key(ModelInfo model, String key) {
    Column pk = model.primaryKey();
    if (pk.type() == ColumnType.NUMBER) {
      try {
        return new BigDecimal(key).longValueExact();
      } catch (ArithmeticException | NumberFormatException e) {
        throw ValidationException.of(
            "$.key", "\"" + key + "\" is not a valid " + model.name() + " key (a number)");
      }
    }
    return key;
  }

  private List<SelectField<?>> memberFields(
      AudienceCompiler compiler, Scope root, List<String> columns, String path) {
    ModelInfo model = root.model();
    List<SelectField<?>> fields = new ArrayList<>();
    fields.add(root.key().as(model.def().primaryKey()));
    if (model.def().label() != null && !model.def().label().equals(model.def().primaryKey())) {
      fields.add(root.field(model.def().label()).as(model.def().label()));
    }
    Problems problems = new Problems();
    List<String> wanted = columns == null ? List.of() : columns;
    for (int i = 0; i < wanted.size(); i++) {
      String name = wanted.get(i);
      if (name == null) {
        problems.add(path + "[" + i + "]", "give a column or trait name, not null");
        continue;
      }
      if (name.equals(model.def().primaryKey()) || name.equals(model.def().label())) {
        continue;
      }
      if (model.column(name).isPresent()) {
        fields.add(root.field(name).as(name));
      } else {
        Optional<Catalog.TraitInfo> t = catalog.trait(model, name);
        if (t.isPresent()) {
          fields.add(compiler.traitValue(root, t.get(), path + "[" + i + "]").field().as(name));
        } else {
          List<String> known = new ArrayList<>(model.columnsByName().keySet());
          catalog.traits(model).forEach(x -> known.add(x.def().name()));
          problems.add(
              path + "[" + i + "]",
              Problems.unknown("column or trait", name, "model \"" + model.name() + "\"", known));
        }
      }
    }
    compiler.problems().list().forEach(p -> problems.add(p.path(), p.message()));
    problems.throwIfAny();
    return fields;
  }

  /**
   * Rows whose key hashes (with the seed) into the first {@code percent} of 10,000 buckets. Integer
   * keys use PostgreSQL's integer hash (no text conversion: about 20% faster per row); other keys
   * hash their text.
   */
  static org.jooq.Condition sample(Scope root, Sampling s) {
    Field<Object> key = root.key();
    long threshold = Math.round(s.percent() * 100);
    return io.customerstudio.query.sql.Dialects.sampleBucket(
            key, Long.class.equals(key.getDataType().getType()), s.seed())
        .lt(DSL.val(threshold));
  }

  private static Select<Record1<Object>> keys(Compiled c) {
    return DSL.select(c.key()).from(c.root().table()).where(c.where());
  }
}
