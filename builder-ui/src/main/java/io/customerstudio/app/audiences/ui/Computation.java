package io.customerstudio.app.audiences.ui;

import com.vaadin.flow.component.UI;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.audiences.PreviewRunner;
import io.customerstudio.app.audiences.QueryHandle;
import io.customerstudio.query.ValidationException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One kind of background computation of a view (the live size, the explain funnel, the overlap):
 * runs off the UI thread, shows its result through {@link UI#access}, and keeps only the newest
 * request: starting a new one cancels the scheduled and the running one, whose late result is
 * dropped.
 *
 * @param <T> the result
 */
final class Computation<T> {

  /** What the view does with the outcome; every callback runs on the UI thread. */
  interface Listener<T> {
    void started();

    void done(T result);

    /** A validation problem with the input, with JSON paths. */
    void invalid(List<ApiException.FieldError> problems);

    /** The warehouse failed or the user stopped it. */
    void failed(String message);
  }

  private final PreviewRunner runner;
  private final Listener<T> listener;
  private int generation;
  private ScheduledFuture<?> pending;
  private QueryHandle running;

  Computation(PreviewRunner runner, Listener<T> listener) {
    this.runner = runner;
    this.listener = listener;
  }

  /**
   * Schedules {@code work} after {@code delay} (debounce); must be called on the UI thread. {@code
   * work} receives the handle that cancels its warehouse statements.
   */
  void start(UI ui, Duration delay, Function<QueryHandle, T> work) {
    cancelQuietly();
    int mine = ++generation;
    QueryHandle handle = new QueryHandle();
    running = handle;
    pending =
        runner.schedule(
            () -> {
              if (handle.isCancelled()) {
                return;
              }
              ui.access(
                  () -> {
                    if (mine == generation) {
                      listener.started();
                    }
                  });
              Consumer<Runnable> deliver =
                  r ->
                      ui.access(
                          () -> {
                            if (mine == generation) {
                              running = null;
                              r.run();
                            }
                          });
              try {
                T result = work.apply(handle);
                deliver.accept(() -> listener.done(result));
              } catch (ValidationException e) {
                List<ApiException.FieldError> problems = ApiException.errorsOf(e);
                deliver.accept(() -> listener.invalid(problems));
              } catch (ApiException e) {
                List<ApiException.FieldError> problems =
                    e.errors().isEmpty()
                        ? List.of(new ApiException.FieldError(null, e.getMessage()))
                        : e.errors();
                deliver.accept(() -> listener.invalid(problems));
              } catch (RuntimeException e) {
                // a cancelled statement surfaces as the driver's error: say what the user did
                String message =
                    handle.isCancelled()
                        ? "Stopped."
                        : "The warehouse could not compute this: " + rootMessage(e);
                deliver.accept(() -> listener.failed(message));
              }
            },
            delay);
  }

  /** Stops what is scheduled or running; the listener hears "Stopped.". */
  void stop() {
    boolean active = running != null;
    cancelQuietly();
    generation++;
    if (active) {
      listener.failed("Stopped.");
    }
  }

  /** Drops what is scheduled or running without telling anyone: the view went away. */
  void cancel() {
    cancelQuietly();
    generation++;
  }

  boolean isRunning() {
    return running != null;
  }

  private void cancelQuietly() {
    if (pending != null) {
      pending.cancel(false);
    }
    if (running != null) {
      running.cancel();
      running = null;
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }
}
