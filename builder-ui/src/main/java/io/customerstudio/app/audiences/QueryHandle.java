package io.customerstudio.app.audiences;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.exception.DataAccessException;

/**
 * Lets one thread stop the warehouse statements another thread runs for a computation: the
 * builder's live size cancels a count the user has already edited past, and its Stop button does
 * the same. Once cancelled, a handle refuses every further statement.
 */
public final class QueryHandle implements ExecuteListener {

  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicReference<Statement> running = new AtomicReference<>();

  @Override
  public void executeStart(ExecuteContext ctx) {
    if (cancelled.get()) {
      throw new DataAccessException("cancelled");
    }
    running.set(ctx.statement());
  }

  @Override
  public void executeEnd(ExecuteContext ctx) {
    running.set(null);
  }

  public boolean isCancelled() {
    return cancelled.get();
  }

  /** Stops the statement running now, if any, and every later one. */
  public void cancel() {
    cancelled.set(true);
    Statement s = running.get();
    if (s != null) {
      try {
        s.cancel();
      } catch (SQLException ignored) {
        // the statement finished meanwhile: nothing left to stop
      }
    }
  }
}
