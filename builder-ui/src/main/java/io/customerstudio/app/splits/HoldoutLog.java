package io.customerstudio.app.splits;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;

import io.customerstudio.app.errors.NotFoundException;
import io.customerstudio.infra.config.StudioProperties;
import io.customerstudio.infra.store.AudienceStore;
import io.customerstudio.infra.store.RunStore;
import io.customerstudio.infra.warehouse.Warehouse;
import io.customerstudio.query.ValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.Record6;
import org.jooq.SelectConditionStep;
import org.jooq.SortField;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.springframework.stereotype.Service;

/**
 * Reads the holdout log ({@code <studio.governance.log-schema>.holdout_log} in the warehouse, which
 * the runs append to): the members a run held out, or an audience's over time, as pages or as CSV
 * streamed through a server-side cursor (memory stays flat whatever the log's size). Never writes.
 *
 * <p>Pages: a run's entries in member-key order, {@code after} being the last member key of the
 * previous page. An audience's entries newest first, then by run and member key; {@code after} is
 * {@link #cursor(Entry)} of the last entry of the previous page: {@code loggedAt,runId,memberKey}.
 */
@Service
public class HoldoutLog {

  /** One held-out member of one run. */
  public record Entry(
      String syncKey,
      String runId,
      String audience,
      String group,
      String memberKey,
      OffsetDateTime loggedAt) {}

  /** Filters of an audience's log; every part optional. */
  public record Filter(String group, String sync, OffsetDateTime since) {
    public static final Filter NONE = new Filter(null, null, null);
  }

  public static final int MAX_LIMIT = 1000;

  private static final List<String> CSV_HEADER =
      List.of("sync_key", "run_id", "audience", "split_group", "member_key", "logged_at");

  private final Warehouse warehouse;
  private final RunStore runs;
  private final AudienceStore audiences;
  private final io.customerstudio.infra.store.SyncStore syncStore;
  private final Table<?> table;
  private final Field<String> syncKey = field(name("sync_key"), String.class);
  private final Field<String> runId = field(name("run_id"), String.class);
  private final Field<String> audience = field(name("audience"), String.class);
  private final Field<String> group = field(name("split_group"), String.class);
  private final Field<String> memberKey = field(name("member_key"), String.class);
  private final Field<OffsetDateTime> loggedAt =
      field(name("logged_at"), org.jooq.impl.SQLDataType.TIMESTAMPWITHTIMEZONE);

  private final io.customerstudio.app.security.CurrentRestriction restriction;

  /**
   * The log lists members of every subset; a restricted user is refused (403) rather than shown a
   * log with other people's rows.
   */
  private void refuseRestricted() {
    if (restriction.restricted()) {
      throw new io.customerstudio.app.api.ApiException(
          org.springframework.http.HttpStatus.FORBIDDEN,
          "Forbidden",
          "The holdout log lists people outside your subsets; ask an admin",
          List.of());
    }
  }

  public HoldoutLog(
      Warehouse warehouse,
      RunStore runs,
      AudienceStore audiences,
      io.customerstudio.infra.store.SyncStore syncStore,
      StudioProperties properties,
      io.customerstudio.app.security.CurrentRestriction restriction) {
    this.restriction = restriction;
    this.warehouse = warehouse;
    this.runs = runs;
    this.audiences = audiences;
    this.syncStore = syncStore;
    this.table = DSL.table(name(properties.governance().logSchema(), "holdout_log"));
  }

  /**
   * A page of the members a run held out, by member key.
   *
   * @throws NotFoundException when there is no such run
   */
  public List<Entry> forRun(String run, String groupName, int limit, String after) {
    refuseRestricted();
    Condition where = runCondition(run, groupName);
    if (after != null && !after.isEmpty()) {
      where = where.and(memberKey.gt(after));
    }
    return select(where).orderBy(memberKey).limit(limit(limit)).fetch(this::entry);
  }

  /** Every member a run held out, by member key, as CSV; returns how many. */
  public long writeRunCsv(String run, String groupName, Writer out) {
    refuseRestricted();
    Condition where = runCondition(run, groupName);
    return csv(where, List.of(memberKey.asc()), out);
  }

  /**
   * A page of an audience's log, newest first.
   *
   * @throws NotFoundException when there is no such audience
   */
  public List<Entry> forAudience(String key, Filter filter, int limit, String after) {
    refuseRestricted();
    Condition where = audienceCondition(key, filter);
    if (after != null && !after.isEmpty()) {
      where = where.and(after(after));
    }
    return select(where).orderBy(audienceOrder()).limit(limit(limit)).fetch(this::entry);
  }

  /** An audience's whole log (filtered), newest first, as CSV; returns how many. */
  public long writeAudienceCsv(String key, Filter filter, Writer out) {
    refuseRestricted();
    return csv(audienceCondition(key, filter), audienceOrder(), out);
  }

  /** The audiences' keys, for a picker. */
  public List<String> audiences() {
    return audiences.list(null).stream().map(AudienceStore.Audience::key).toList();
  }

  /** The syncs of an audience, for a picker (the log may also name syncs deleted since). */
  public List<String> syncs(String audience) {
    return syncStore.usingAudience(audience);
  }

  /** The {@code after} of the page that follows the one ending with {@code last}. */
  public static String cursor(Entry last) {
    return last.loggedAt().toInstant() + "," + last.runId() + "," + last.memberKey();
  }

  /** {@code since} from a request: an ISO-8601 instant, or a problem at {@code $.since}. */
  public static OffsetDateTime since(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text);
    } catch (DateTimeParseException e) {
      throw ValidationException.of(
          "$.since", "give an ISO-8601 time such as 2026-11-01T00:00:00Z, not \"" + text + "\"");
    }
  }

  // ---------------------------------------------------------------- internals

  private Condition runCondition(String run, String groupName) {
    if (runs.find(run).isEmpty()) {
      throw new NotFoundException("Run '" + run + "' not found");
    }
    Condition where = runId.eq(run);
    return groupName == null || groupName.isEmpty() ? where : where.and(group.eq(groupName));
  }

  private Condition audienceCondition(String key, Filter filter) {
    if (audiences.find(key).isEmpty()) {
      throw new NotFoundException("Audience '" + key + "' not found");
    }
    Condition where = audience.eq(key);
    if (filter.group() != null && !filter.group().isEmpty()) {
      where = where.and(group.eq(filter.group()));
    }
    if (filter.sync() != null && !filter.sync().isEmpty()) {
      where = where.and(syncKey.eq(filter.sync()));
    }
    if (filter.since() != null) {
      where = where.and(loggedAt.ge(filter.since()));
    }
    return where;
  }

  private List<SortField<?>> audienceOrder() {
    return List.of(loggedAt.desc(), runId.asc(), memberKey.asc());
  }

  /** Entries after the cursor in the audience order: older, or as old and later by run, key. */
  private Condition after(String cursor) {
    String[] parts = cursor.split(",", 3);
    OffsetDateTime at;
    try {
      if (parts.length < 3) {
        throw new DateTimeParseException("no three parts", cursor, 0);
      }
      at = OffsetDateTime.ofInstant(java.time.Instant.parse(parts[0]), ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw ValidationException.of(
          "$.after",
          "give the last entry's loggedAt, runId and memberKey joined by commas"
              + " (2026-11-01T00:00:00Z,run,key), not \""
              + cursor
              + "\"");
    }
    return loggedAt
        .lt(at)
        .or(loggedAt.eq(at).and(DSL.row(runId, memberKey).gt(parts[1], parts[2])));
  }

  private static int limit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ValidationException.of("$.limit", "must be from 1 to " + MAX_LIMIT);
    }
    return limit;
  }

  private SelectConditionStep<Record6<String, String, String, String, String, OffsetDateTime>>
      select(Condition where) {
    return select(warehouse.dsl(), where);
  }

  private SelectConditionStep<Record6<String, String, String, String, String, OffsetDateTime>>
      select(org.jooq.DSLContext db, Condition where) {
    return db.select(syncKey, runId, audience, group, memberKey, loggedAt).from(table).where(where);
  }

  private Entry entry(Record6<String, String, String, String, String, OffsetDateTime> r) {
    return new Entry(
        r.value1(),
        r.value2(),
        r.value3(),
        r.value4(),
        r.value5(),
        r.value6() == null ? null : r.value6().withOffsetSameInstant(ZoneOffset.UTC));
  }

  /** Streams the rows through a server-side cursor (a transaction, a fetch size) as CSV. */
  private long csv(Condition where, List<SortField<?>> order, Writer out) {
    try {
      CSVPrinter csv =
          CSVFormat.RFC4180.builder().setHeader(CSV_HEADER.toArray(String[]::new)).get().print(out);
      long n =
          stream(
              where,
              order,
              e -> {
                try {
                  csv.printRecord(
                      e.syncKey(),
                      e.runId(),
                      e.audience(),
                      e.group(),
                      e.memberKey(),
                      e.loggedAt() == null ? null : e.loggedAt().toInstant().toString());
                } catch (IOException ex) {
                  throw new UncheckedIOException(ex);
                }
              });
      csv.flush();
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private long stream(Condition where, List<SortField<?>> order, Consumer<Entry> sink) {
    return warehouse
        .dsl()
        .transactionResult(
            tx -> {
              long n = 0;
              try (var cursor =
                  select(tx.dsl(), where).orderBy(order).fetchSize(10_000).fetchLazy()) {
                for (var r : cursor) {
                  sink.accept(entry(r));
                  n++;
                }
              }
              return n;
            });
  }
}
