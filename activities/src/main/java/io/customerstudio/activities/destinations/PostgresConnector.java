package io.customerstudio.activities.destinations;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Keeps a table of any reachable PostgreSQL in step with a sync: one row per member ({@code key}
 * primary key, {@code fields} jsonb, {@code synced_at}, {@code idempotency_key} of the batch that
 * last wrote it). Upserts insert or update, deletes remove (mirror mode). The table is created on
 * first delivery when missing. A batch runs in one transaction and leaves the same state however
 * often it is sent, so retries and replays never duplicate.
 *
 * <p>Connections come from one small pool per destination (HikariCP, {@link #parallelism()}
 * connections, none kept idle for long), opened lazily and closed with the connector. A lost
 * connection or an overloaded server is a transient failure; anything else the server refuses
 * (credentials, permissions, a clashing table) is permanent.
 */
public final class PostgresConnector implements Connector {

  static final Pattern TABLE =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}\\.[A-Za-z_][A-Za-z0-9_]{0,62}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A JDBC URL, a user, the schema-qualified table, rows per batch. */
  public record Config(String url, String user, String table, int batchSize) {

    public List<String> problems() {
      List<String> out = new ArrayList<>();
      if (url == null || !url.startsWith("jdbc:postgresql://")) {
        out.add("url: give a JDBC URL such as jdbc:postgresql://db.example.com:5432/crm");
      }
      if (user == null || user.isBlank()) {
        out.add("user: give the database user");
      }
      if (table == null || !TABLE.matcher(table).matches()) {
        out.add("table: give schema.table (letters, digits and _), such as public.audience_vip");
      }
      if (batchSize < 1 || batchSize > 10_000) {
        out.add("batchSize: from 1 to 10000 rows");
      }
      return out;
    }
  }

  private final Config config;
  private final String password;
  private final Clock clock;
  private final Table<?> table;
  private final Field<String> key = DSL.field(DSL.name("key"), SQLDataType.CLOB);
  private final Field<JSONB> fields = DSL.field(DSL.name("fields"), SQLDataType.JSONB);
  private final Field<OffsetDateTime> syncedAt =
      DSL.field(DSL.name("synced_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
  private final Field<String> batchKey = DSL.field(DSL.name("idempotency_key"), SQLDataType.CLOB);
  private HikariDataSource pool;
  private volatile boolean tableReady;

  public PostgresConnector(Config config, String password, Clock clock) {
    List<String> problems = config.problems();
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    this.config = config;
    this.password = password == null ? "" : password;
    this.clock = clock;
    String[] parts = config.table().split("\\.");
    this.table = DSL.table(DSL.name(parts[0], parts[1]));
  }

  @Override
  public int batchSize() {
    return config.batchSize();
  }

  @Override
  public int parallelism() {
    return 2;
  }

  @Override
  public List<RowOutcome> deliver(Batch batch, Pacer pacer) {
    pacer.beforeRequest();
    try (Connection c = pool().getConnection()) {
      DSLContext db = DSL.using(c, SQLDialect.POSTGRES);
      OffsetDateTime now = OffsetDateTime.now(clock);
      ensureTable(db);
      db.transaction(
          tx -> {
            DSLContext t = tx.dsl();
            List<String> deletes = new ArrayList<>();
            var insert = t.insertInto(table, key, fields, syncedAt, batchKey);
            boolean any = false;
            for (DeliveryRow r : batch.rows()) {
              if (r.op() == DeliveryRow.Op.DELETE) {
                deletes.add(r.key());
              } else {
                insert =
                    insert.values(
                        r.key(), JSONB.valueOf(r.fieldsJson()), now, batch.idempotencyKey());
                any = true;
              }
            }
            if (any) {
              insert
                  .onConflict(key)
                  .doUpdate()
                  .set(fields, DSL.excluded(fields))
                  .set(syncedAt, DSL.excluded(syncedAt))
                  .set(batchKey, DSL.excluded(batchKey))
                  .execute();
            }
            if (!deletes.isEmpty()) {
              t.deleteFrom(table).where(key.in(deletes)).execute();
            }
          });
      return batch.rows().stream().map(r -> RowOutcome.accepted(r.key())).toList();
    } catch (SQLException | DataAccessException e) {
      String message =
          "batch " + batch.idempotencyKey() + ": " + config.table() + " refused it: " + first(e);
      throw transientState(e)
          ? DeliveryException.transientFailure(message, e)
          : DeliveryException.permanent(message, e);
    }
  }

  /**
   * Creates the table when missing, once per connector: batches in parallel wait for the first one;
   * another worker creating it at the same moment is no error.
   */
  private synchronized void ensureTable(DSLContext db) {
    if (tableReady) {
      return;
    }
    try {
      db.createTableIfNotExists(table)
          .column(key.getName(), SQLDataType.CLOB.notNull())
          .column(fields.getName(), SQLDataType.JSONB.notNull())
          .column(syncedAt.getName(), SQLDataType.TIMESTAMPWITHTIMEZONE.notNull())
          .column(batchKey.getName(), SQLDataType.CLOB.notNull())
          .primaryKey(key.getName())
          .execute();
    } catch (DataAccessException e) {
      String state = e.sqlState();
      if (!"23505".equals(state) && !"42P07".equals(state)) {
        throw e;
      }
    }
    tableReady = true;
  }

  /**
   * SQLSTATE classes worth another attempt: 08 connection, 40 rolled back (serialization,
   * deadlock), 53 insufficient resources, 57 operator intervention (shutdown, cancelled); a
   * connection the pool could not open has no state and is transient too.
   */
  static boolean transientState(Exception e) {
    Throwable t = e;
    while (t != null) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        return state.startsWith("08")
            || state.startsWith("40")
            || state.startsWith("53")
            || state.startsWith("57");
      }
      t = t.getCause();
    }
    return true;
  }

  private synchronized HikariDataSource pool() {
    if (pool == null) {
      HikariConfig c = new HikariConfig();
      c.setJdbcUrl(config.url());
      c.setUsername(config.user());
      c.setPassword(password);
      c.setMaximumPoolSize(parallelism());
      c.setMinimumIdle(0);
      c.setIdleTimeout(60_000);
      c.setConnectionTimeout(10_000);
      c.setInitializationFailTimeout(-1);
      c.setPoolName("destination " + config.table());
      pool = new HikariDataSource(c);
    }
    return pool;
  }

  @Override
  public synchronized void close() {
    if (pool != null) {
      pool.close();
      pool = null;
    }
  }

  @Override
  public Optional<String> test() {
    try (Connection c = DriverManager.getConnection(config.url(), config.user(), password)) {
      DSLContext db = DSL.using(c, SQLDialect.POSTGRES);
      String schema = config.table().split("\\.")[0];
      boolean exists =
          db.fetchExists(
              DSL.selectOne()
                  .from(DSL.table(DSL.name("information_schema", "schemata")))
                  .where(DSL.field(DSL.name("schema_name")).eq(schema)));
      return exists
          ? Optional.empty()
          : Optional.of("schema " + schema + " does not exist in " + safeUrl());
    } catch (SQLException | DataAccessException e) {
      return Optional.of("cannot connect to " + safeUrl() + ": " + first(e));
    }
  }

  /** The URL without its query string, where a password could have been put. */
  private String safeUrl() {
    int q = config.url().indexOf('?');
    return q < 0 ? config.url() : config.url().substring(0, q);
  }

  private static String first(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && t.getMessage() == null) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.lines().findFirst().orElse(m);
  }
}
