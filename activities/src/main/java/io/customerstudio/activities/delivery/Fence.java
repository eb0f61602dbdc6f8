package io.customerstudio.activities.delivery;

import io.customerstudio.infra.store.LeaseStore;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one delivery attempt honest while it works: a ticker heartbeats it (so Temporal knows it is
 * alive while a batch waits on retries, backoff or the rate limit) and renews its lease on the
 * scope. The attempt may start a request only while its lease was renewed recently enough that the
 * request ends before the lease could expire and another attempt take it; a heartbeat that fails
 * (cancelled, or Temporal handed the work on) or a lease that is gone aborts it. So no batch is
 * ever in flight in two attempts at once.
 */
final class Fence implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Fence.class);

  private final LeaseStore leases;
  private final String scope;
  private final String holder;
  private final Delivery.Timing timing;
  private final Runnable heartbeat;
  private final ScheduledExecutorService ticker;

  private final Object lock = new Object();
  private boolean held;
  private long renewedAt;
  private RuntimeException aborted;

  Fence(
      LeaseStore leases, String scope, String holder, Delivery.Timing timing, Runnable heartbeat) {
    this.leases = leases;
    this.scope = scope;
    this.holder = holder;
    this.timing = timing;
    this.heartbeat = heartbeat;
    this.ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "delivery-fence " + scope);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts the ticker and waits, heartbeating, until the lease is this attempt's: an earlier
   * attempt still working keeps it until it stops or its lease expires.
   */
  void open() {
    long tick = timing.tick().toMillis();
    ticker.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    while (true) {
      check();
      if (leases.acquire(scope, holder, timing.leaseTtl())) {
        synchronized (lock) {
          held = true;
          renewedAt = System.nanoTime();
        }
        return;
      }
      log.atInfo()
          .addKeyValue("scope", scope)
          .log("waiting for an earlier attempt to release {}", scope);
      await(timing.tick());
    }
  }

  private void tick() {
    try {
      heartbeat.run();
    } catch (RuntimeException e) {
      abort(e);
      return;
    }
    boolean isHeld;
    synchronized (lock) {
      isHeld = held;
    }
    if (!isHeld) {
      return;
    }
    try {
      if (leases.renew(scope, holder, timing.leaseTtl())) {
        synchronized (lock) {
          renewedAt = System.nanoTime();
        }
      } else {
        abort(
            new DeliveryAborted(
                "the delivery lease on " + scope + " went to another attempt", null));
      }
    } catch (RuntimeException e) {
      // the app store did not answer: no renewal, so sending stops once the window has passed
      log.atWarn()
          .addKeyValue("scope", scope)
          .log("cannot renew the lease on {}: {}", scope, e.getMessage());
    }
  }

  private void abort(RuntimeException why) {
    synchronized (lock) {
      if (aborted == null) {
        aborted = why;
      }
      lock.notifyAll();
    }
  }

  /** Throws when this attempt must stop: aborted, or its lease too old to start a request. */
  void checkSend() {
    synchronized (lock) {
      check();
      long age = System.nanoTime() - renewedAt;
      if (!held || age > timing.sendWindow().toNanos()) {
        throw new DeliveryAborted(
            "the delivery lease on " + scope + " was not renewed in time; not sending", null);
      }
    }
  }

  private void check() {
    synchronized (lock) {
      if (aborted != null) {
        throw aborted instanceof DeliveryAborted a
            ? a
            : new DeliveryAborted(aborted.getMessage(), aborted);
      }
    }
  }

  /** Waits up to {@code d}, waking early when the attempt is aborted. */
  void await(Duration d) {
    long until = System.nanoTime() + d.toNanos();
    synchronized (lock) {
      while (aborted == null) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          aborted = new DeliveryAborted("interrupted", e);
        }
      }
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    boolean release;
    synchronized (lock) {
      release = held;
      held = false;
    }
    if (release) {
      try {
        leases.release(scope, holder);
      } catch (RuntimeException e) {
        log.atWarn()
            .addKeyValue("scope", scope)
            .log("cannot release the lease on {}; it expires", scope);
      }
    }
  }
}
