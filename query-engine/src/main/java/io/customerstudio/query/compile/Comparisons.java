package io.customerstudio.query.compile;

import com.fasterxml.jackson.databind.JsonNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.audience.Op;
import io.customerstudio.query.audience.TimeUnit;
import io.customerstudio.query.compile.AudienceCompiler.Scope;
import io.customerstudio.query.schema.Column;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * {@code x op value} for a column, an aggregate or a trait value: which operator applies to which
 * type, the user's value as a bind value of the type it meets, and the spec's NULL rule, all in
 * this one class. Every condition it returns is two-valued (never SQL NULL), so {@code not} is an
 * exact complement. Also owns property conditions, which are a comparison of a column.
 */
final class Comparisons {

  private final CompileContext cx;

  Comparisons(CompileContext cx) {
    this.cx = cx;
  }

  /** A property condition: a column of the scope's model compared with a value. */
  org.jooq.Condition property(Condition.Property c, Scope s) {
    if (c.column() == null || c.op() == null) {
      return DSL.falseCondition();
    }
    Optional<Column> column = s.model().column(c.column());
    if (column.isEmpty()) {
      cx.problems()
          .add(
              c.path() + ".column",
              Problems.unknown(
                  "column",
                  c.column(),
                  "model \"" + s.model().name() + "\"",
                  s.model().columnsByName().keySet()));
      return DSL.falseCondition();
    }
    return compare(s.column(column.get()), c.op(), c.value(), c.path());
  }

  /**
   * {@code x op value} as a two-valued condition, with the spec's NULL rule: neq, not_in,
   * not_contains and not_within_last hold for NULL; every other operator fails on it.
   */
  org.jooq.Condition compare(Typed x, Op op, JsonNode value, String path) {
    if (!op.types().contains(x.type())) {
      cx.problems()
          .add(
              path + ".op",
              "\""
                  + op.json()
                  + "\" does not apply to a "
                  + x.type().json()
                  + "; use one of "
                  + Arrays.stream(Op.values())
                      .filter(o -> o.types().contains(x.type()))
                      .map(Op::json)
                      .toList());
      return DSL.falseCondition();
    }
    @SuppressWarnings("unchecked")
    Field<Object> f = (Field<Object>) x.field();
    if (op.value() == Op.Value.NONE) {
      if (value != null && !value.isNull()) {
        cx.problems().add(path + ".value", "\"" + op.json() + "\" takes no value");
      }
      return switch (op) {
        case IS_NULL -> x.nullable() ? f.isNull() : DSL.falseCondition();
        case IS_NOT_NULL -> x.nullable() ? f.isNotNull() : DSL.trueCondition();
        case IS_TRUE -> twoValued(x, f, f.eq(DSL.inline(true)), false);
        case IS_FALSE -> twoValued(x, f, f.eq(DSL.inline(false)), false);
        default -> throw new IllegalStateException(op.name());
      };
    }
    if (x.isDay()) {
      // a date column against a time: compare days, on the column itself
      @SuppressWarnings("unchecked")
      Field<Object> day = (Field<Object>) (Field<?>) x.day();
      org.jooq.Condition raw = days(x.day(), op, value, path);
      return raw == null ? DSL.falseCondition() : twoValued(x, day, raw, op.holdsOnNull());
    }
    org.jooq.Condition raw = raw(x, f, op, value, path);
    return raw == null ? DSL.falseCondition() : twoValued(x, f, raw, op.holdsOnNull());
  }

  /**
   * Makes {@code raw} (which is NULL exactly when x is) two-valued: it holds on NULL for the
   * negative operators. A plain column keeps the sargable form ({@code x = ? and x is not null});
   * any other expression is written once, inside {@code coalesce(raw, false|true)}.
   */
  private static org.jooq.Condition twoValued(
      Typed x, Field<Object> f, org.jooq.Condition raw, boolean holdsOnNull) {
    if (!x.nullable()) {
      return raw;
    }
    if (x.simple()) {
      return holdsOnNull ? f.isNull().or(raw) : raw.and(f.isNotNull());
    }
    return DSL.condition(DSL.coalesce(DSL.field(raw), DSL.inline(holdsOnNull)));
  }

  /** {@code x op value} in plain SQL three-valued logic; null (with a problem) if invalid. */
  private org.jooq.Condition raw(Typed x, Field<Object> f, Op op, JsonNode value, String path) {
    if (op.value() == Op.Value.DURATION) {
      long[] amount = new long[1];
      TimeUnit unit = AudienceJson.duration(value, path + ".value", amount, cx.problems());
      if (unit == null) {
        return null;
      }
      Field<Object> lower = time(unit.before(cx.asOf(), amount[0]), x);
      Field<Object> upper = time(cx.asOf(), x);
      return op == Op.WITHIN_LAST ? f.between(lower, upper) : f.lt(lower).or(f.gt(upper));
    }
    if (op.value() == Op.Value.ARRAY) {
      if (value == null || !value.isArray() || value.isEmpty()) {
        cx.problems()
            .add(
                path + ".value",
                "\"" + op.json() + "\" takes a non-empty array of " + x.type().json() + "s");
        return null;
      }
      if (value.size() > 10_000) {
        cx.problems().add(path + ".value", "at most 10000 values");
        return null;
      }
      List<Field<Object>> values = new ArrayList<>();
      for (int i = 0; i < value.size(); i++) {
        Field<Object> v = bind(value.get(i), x, path + ".value[" + i + "]");
        if (v == null) {
          return null;
        }
        values.add(v);
      }
      return op == Op.IN ? f.in(values) : f.notIn(values);
    }
    if (op.value() == Op.Value.PAIR) {
      if (value == null || !value.isArray() || value.size() != 2) {
        cx.problems().add(path + ".value", "\"between\" takes [low, high]");
        return null;
      }
      Field<Object> low = bind(value.get(0), x, path + ".value[0]");
      Field<Object> high = bind(value.get(1), x, path + ".value[1]");
      return low == null || high == null ? null : f.between(low, high);
    }
    Field<Object> v = bind(value, x, path + ".value");
    if (v == null) {
      return null;
    }
    return switch (op) {
      case EQ -> f.eq(v);
      case NEQ -> f.ne(v);
      case GT, AFTER -> f.gt(v);
      case GTE -> f.ge(v);
      case LT, BEFORE -> f.lt(v);
      case LTE -> f.le(v);
      case CONTAINS -> f.containsIgnoreCase(v);
      case NOT_CONTAINS -> f.notContainsIgnoreCase(v);
      case STARTS_WITH -> f.startsWithIgnoreCase(v);
      case ENDS_WITH -> f.endsWithIgnoreCase(v);
      default -> throw new IllegalStateException(op.name());
    };
  }

  /**
   * {@code d op t} for a date column {@code d} read as the start of its day in UTC, as a comparison
   * of days: the midnight of {@code d} is before {@code t} exactly when {@code d} is before the
   * first day whose midnight is at or after {@code t} ({@link #ceilDay}), and after {@code t}
   * exactly when {@code d} is after the day {@code t} falls in ({@link #floorDay}). Three-valued
   * like {@link #raw} (a constant where no day can match); null (with a problem) if invalid.
   */
  private org.jooq.Condition days(
      Field<java.time.LocalDate> d, Op op, JsonNode value, String path) {
    if (op.value() == Op.Value.DURATION) {
      long[] amount = new long[1];
      TimeUnit unit = AudienceJson.duration(value, path + ".value", amount, cx.problems());
      if (unit == null) {
        return null;
      }
      Instant lower = unit.before(cx.asOf(), amount[0]);
      Instant upper = cx.asOf();
      return op == Op.WITHIN_LAST
          ? d.ge(day(ceilDay(lower))).and(d.le(day(floorDay(upper))))
          : d.lt(day(ceilDay(lower))).or(d.gt(day(floorDay(upper))));
    }
    if (op.value() == Op.Value.PAIR) {
      if (value == null || !value.isArray() || value.size() != 2) {
        cx.problems().add(path + ".value", "\"between\" takes [low, high]");
        return null;
      }
      Instant low = instant(value.get(0), path + ".value[0]");
      Instant high = instant(value.get(1), path + ".value[1]");
      return low == null || high == null
          ? null
          : d.ge(day(ceilDay(low))).and(d.le(day(floorDay(high))));
    }
    Instant t = instant(value, path + ".value");
    if (t == null) {
      return null;
    }
    boolean midnight = ceilDay(t).equals(floorDay(t));
    return switch (op) {
      // no midnight equals a time of day: eq never holds, neq always does (NULL aside)
      case EQ -> midnight ? d.eq(day(floorDay(t))) : DSL.falseCondition();
      case NEQ -> midnight ? d.ne(day(floorDay(t))) : DSL.trueCondition();
      case GT, AFTER -> d.gt(day(floorDay(t)));
      case GTE -> d.ge(day(ceilDay(t)));
      case LT, BEFORE -> d.lt(day(ceilDay(t)));
      case LTE -> d.le(day(floorDay(t)));
      default -> throw new IllegalStateException(op.name());
    };
  }

  /**
   * A time for a comparison of days, in microseconds as the warehouses bind times (so a day
   * compares with 00:00:00.0000001 as its column compared with the bound time did); null (with a
   * problem) if missing, invalid or beyond the days a date holds.
   */
  private Instant instant(JsonNode v, String path) {
    if (v == null || v.isNull()) {
      cx.problems().add(path, "a timestamp value is required");
      return null;
    }
    Instant t = AudienceJson.instant(v, path, cx.problems());
    if (t == null) {
      return null;
    }
    if (t.isBefore(FIRST_DAY) || t.isAfter(LAST_DAY)) {
      cx.problems().add(path, "a time out of range for a date column: " + v.asText());
      return null;
    }
    return t.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
  }

  /** The range a date column is compared in: years 1 to 9999, as SQL dates commonly hold. */
  private static final Instant FIRST_DAY = Instant.parse("0001-01-01T00:00:00Z");

  private static final Instant LAST_DAY = Instant.parse("9999-12-31T00:00:00Z");

  /** The UTC day {@code t} falls in. */
  private static java.time.LocalDate floorDay(Instant t) {
    return LocalDateTime.ofInstant(t, ZoneOffset.UTC).toLocalDate();
  }

  /** The first UTC day whose midnight is at or after {@code t}. */
  private static java.time.LocalDate ceilDay(Instant t) {
    java.time.LocalDate floor = floorDay(t);
    return floor.atStartOfDay().toInstant(ZoneOffset.UTC).equals(t) ? floor : floor.plusDays(1);
  }

  private static Field<java.time.LocalDate> day(java.time.LocalDate d) {
    return DSL.val(d, SQLDataType.LOCALDATE);
  }

  /** A JSON value as a bind value of {@code x}'s type; null (with a problem) if it does not fit. */
  @SuppressWarnings("unchecked")
  private Field<Object> bind(JsonNode v, Typed x, String path) {
    Problems problems = cx.problems();
    if (v == null || v.isNull()) {
      problems.add(path, "a " + x.type().json() + " value is required");
      return null;
    }
    // exhaustive over the spec types: a new type is a compile error here
    return switch (x.type()) {
      case STRING -> {
        if (!v.isTextual()) {
          problems.add(path, "expected a string, got " + v.getNodeType().name().toLowerCase());
          yield null;
        }
        yield (Field<Object>) (Field<?>) DSL.val(v.asText(), SQLDataType.VARCHAR);
      }
      case NUMBER -> {
        if (!v.isNumber()) {
          problems.add(path, "expected a number, got " + v.getNodeType().name().toLowerCase());
          yield null;
        }
        if (v.isFloatingPointNumber() && !Double.isFinite(v.doubleValue())) {
          // 1e400 reads as infinity, which has no decimal value (AudienceJson reports it too)
          problems.add(path, "a number out of range");
          yield null;
        }
        yield number(v.decimalValue(), x);
      }
      case BOOLEAN -> {
        if (!v.isBoolean()) {
          problems.add(path, "expected true or false, got " + v.getNodeType().name().toLowerCase());
          yield null;
        }
        yield (Field<Object>) (Field<?>) DSL.val(v.asBoolean(), SQLDataType.BOOLEAN);
      }
      case TIMESTAMP -> {
        Instant t = AudienceJson.instant(v, path, problems);
        yield t == null ? null : time(t, x);
      }
      case JSON -> {
        problems.add(path, "a json column can only be tested with is_null or is_not_null");
        yield null;
      }
    };
  }

  /** A number as a bind value of the Java type {@code x} holds, so the column's index applies. */
  @SuppressWarnings("unchecked")
  private static Field<Object> number(BigDecimal d, Typed x) {
    Class<?> javaType = x.dataType().getType();
    if (javaType == Long.class
        && d.stripTrailingZeros().scale() <= 0
        && d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0
        && d.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0) {
      return (Field<Object>) (Field<?>) DSL.val(d.longValueExact(), SQLDataType.BIGINT);
    }
    if (javaType == Double.class) {
      return (Field<Object>) (Field<?>) DSL.val(d.doubleValue(), SQLDataType.DOUBLE);
    }
    return (Field<Object>) (Field<?>) DSL.val(d, SQLDataType.NUMERIC);
  }

  /** An instant as a bind value matching how {@code x} stores time. */
  @SuppressWarnings("unchecked")
  static Field<Object> time(Instant t, Typed x) {
    if (x.dataType().getType() == LocalDateTime.class) {
      return (Field<Object>)
          (Field<?>) DSL.val(LocalDateTime.ofInstant(t, ZoneOffset.UTC), SQLDataType.LOCALDATETIME);
    }
    return (Field<Object>)
        (Field<?>)
            DSL.val(OffsetDateTime.ofInstant(t, ZoneOffset.UTC), SQLDataType.TIMESTAMPWITHTIMEZONE);
  }
}
