package io.customerstudio.app.audiences;

import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * The threads the builder computes on, so a count over a million members never blocks a UI thread.
 * A small fixed pool: each open builder runs at most one computation of a kind at a time, and
 * cancels the one it edited past.
 */
@Component
public class PreviewRunner {

  private final ScheduledExecutorService pool =
      Executors.newScheduledThreadPool(
          4,
          new java.util.concurrent.ThreadFactory() {
            private final AtomicInteger n = new AtomicInteger();

            @Override
            public Thread newThread(Runnable r) {
              Thread t = new Thread(r, "preview-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            }
          });

  /**
   * Runs {@code task} after {@code delay} as the scheduling user: her security context travels
   * along, so what the task computes is restricted to her subsets like on her own thread.
   */
  public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    return pool.schedule(
        new org.springframework.security.concurrent.DelegatingSecurityContextRunnable(task),
        delay.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  @PreDestroy
  void stop() {
    pool.shutdownNow();
  }
}
