package io.customerstudio.bench;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * What pg_stat_statements gives on PostgreSQL, for a warehouse without it (DuckDB), measured the
 * same way on both: per statement text, the calls and the time the caller spends in the JDBC
 * driver, through a proxy of the pool. That is preparing (DuckDB parses and plans there), executing
 * (PostgreSQL's driver also reads the rows there) and reading the result (DuckDB's driver converts
 * its columns to Java values there).
 */
final class StatementTimes {

  private record Stat(LongAdder calls, LongAdder prepare, LongAdder execute, LongAdder read) {

    Stat() {
      this(new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder());
    }

    long nanos() {
      return prepare.sum() + execute.sum() + read.sum();
    }
  }

  private interface Handler {
    Object handle(Object target, Method method, Object[] args) throws Throwable;
  }

  private final Map<String, Stat> stats = new ConcurrentHashMap<>();

  /** {@code pool}, with the time of every statement it runs counted here. */
  DataSource wrap(DataSource pool) {
    return proxy(
        DataSource.class,
        pool,
        (target, method, args) -> {
          Object result = invoke(target, method, args);
          return method.getName().equals("getConnection")
              ? connection((Connection) result)
              : result;
        });
  }

  void reset() {
    stats.clear();
  }

  /** The time in every statement since the last reset. */
  double totalSeconds() {
    return stats.values().stream().mapToLong(Stat::nanos).sum() / 1e9;
  }

  /** The header of {@link #top}'s rows. */
  static List<String> header() {
    return List.of(
        "| calls | total s | mean ms | prepare ms | execute ms | read ms | statement |",
        "|---:|---:|---:|---:|---:|---:|---|");
  }

  /** The {@code limit} statements with the most time, as rows under {@link #header}. */
  List<String> top(int limit) {
    List<String> out = new ArrayList<>();
    stats.entrySet().stream()
        .sorted(Comparator.comparingLong(e -> -e.getValue().nanos()))
        .limit(limit)
        .forEach(
            e -> {
              Stat st = e.getValue();
              double calls = Math.max(1, st.calls().sum());
              String q = e.getKey().replaceAll("\\s+", " ");
              q = q.length() > 150 ? q.substring(0, 150) + "…" : q;
              out.add(
                  String.format(
                      Locale.ROOT,
                      "| %,d | %,.2f | %,.2f | %,.2f | %,.2f | %,.2f | `%s` |",
                      st.calls().sum(),
                      st.nanos() / 1e9,
                      st.nanos() / 1e6 / calls,
                      st.prepare().sum() / 1e6 / calls,
                      st.execute().sum() / 1e6 / calls,
                      st.read().sum() / 1e6 / calls,
                      q.replace("|", "\\|").replace("`", "'")));
            });
    return out;
  }

  private Stat stat(String sql) {
    return stats.computeIfAbsent(sql, k -> new Stat());
  }

  private Connection connection(Connection c) {
    return proxy(
        Connection.class,
        c,
        (target, method, args) -> {
          String name = method.getName();
          if (name.equals("prepareStatement")) {
            String sql = (String) args[0];
            long t0 = System.nanoTime();
            PreparedStatement ps = (PreparedStatement) invoke(target, method, args);
            stat(sql).prepare().add(System.nanoTime() - t0);
            return statement(PreparedStatement.class, ps, sql);
          }
          Object result = invoke(target, method, args);
          return name.equals("createStatement")
              ? statement(Statement.class, (Statement) result, null)
              : result;
        });
  }

  private <S extends Statement> S statement(Class<S> type, S s, String prepared) {
    return proxy(
        type,
        s,
        (target, method, args) -> {
          String name = method.getName();
          boolean execute = name.startsWith("execute");
          if (!execute && !name.equals("getResultSet")) {
            return invoke(target, method, args);
          }
          String sql = prepared != null ? prepared : args != null ? (String) args[0] : "?";
          Stat st = stat(sql);
          long t0 = System.nanoTime();
          Object result;
          try {
            result = invoke(target, method, args);
          } finally {
            if (execute) {
              st.calls().increment();
              st.execute().add(System.nanoTime() - t0);
            }
          }
          return result instanceof ResultSet rs ? results(rs, st) : result;
        });
  }

  /** A result whose every call (moving to the next row, reading a column) counts as reading. */
  private static ResultSet results(ResultSet rs, Stat st) {
    return proxy(
        ResultSet.class,
        rs,
        (target, method, args) -> {
          long t0 = System.nanoTime();
          try {
            return invoke(target, method, args);
          } finally {
            st.read().add(System.nanoTime() - t0);
          }
        });
  }

  private static <T> T proxy(Class<T> type, T target, Handler handler) {
    return type.cast(
        Proxy.newProxyInstance(
            StatementTimes.class.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> handler.handle(target, method, args)));
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
