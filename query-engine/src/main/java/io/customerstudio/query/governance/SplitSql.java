package io.customerstudio.query.governance;

import static org.jooq.impl.DSL.inline;

import org.jooq.CaseConditionStep;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * A split's assignment as SQL, the same function as {@link Split#bucket} and {@link Split#groupOf}:
 * the group's name for each row, computed in the warehouse over a member key (as text) and, for a
 * stratified split, the stratum's value.
 */
public final class SplitSql {

  private SplitSql() {}

  /** {@code md5(salt || ':' || key)}: the hash everything is ranked and bucketed by. */
  public static Field<String> hash(Split split, Field<String> memberKey) {
    return DSL.md5(DSL.concat(DSL.val(split.salt() + ":"), memberKey));
  }

  /** The member's bucket in [0, 10000): the hash's first 32 bits, unsigned, mod 10000. */
  public static Field<Long> bucket(Split split, Field<String> memberKey) {
    return io.customerstudio.query.sql.Dialects.hex8(hash(split, memberKey))
        .mod(inline((long) Split.BUCKETS));
  }

  /**
   * The member's group. Unstratified: by bucket. Stratified: by rank within the stratum (the
   * members of the query, partitioned by {@code stratum}, ordered by hash and key): group i takes
   * the ranks in {@code [floor(n * lo_i / 10000), floor(n * hi_i / 10000))}, so each stratum is
   * within one member of the exact shares. A window function: use it in a select list.
   *
   * @param stratum the stratum's value per row, or null for an unstratified split
   */
  public static Field<String> group(Split split, Field<String> memberKey, Field<?> stratum) {
    int[] bounds = split.bounds();
    if (stratum == null) {
      Field<Long> bucket = bucket(split, memberKey);
      CaseConditionStep<String> c = null;
      for (int i = 0; i < bounds.length; i++) {
        var when = bucket.lt(inline((long) bounds[i]));
        String name = split.groups().get(i).name();
        c = c == null ? DSL.when(when, inline(name)) : c.when(when, inline(name));
      }
      return c.otherwise(inline(split.groups().get(bounds.length - 1).name()));
    }
    Field<Long> n = DSL.field("count(*) over (partition by {0})", SQLDataType.BIGINT, stratum);
    Field<Long> rank =
        DSL.field(
            "(row_number() over (partition by {0} order by {1}, {2}) - 1)",
            SQLDataType.BIGINT, stratum, hash(split, memberKey), memberKey);
    CaseConditionStep<String> c = null;
    for (int i = 0; i < bounds.length; i++) {
      var when =
          rank.lt(
              io.customerstudio.query.sql.Dialects.intDiv(
                  n.mul(inline((long) bounds[i])), inline((long) Split.BUCKETS)));
      String name = split.groups().get(i).name();
      c = c == null ? DSL.when(when, inline(name)) : c.when(when, inline(name));
    }
    return c.otherwise(inline(split.groups().get(bounds.length - 1).name()));
  }
}
