package io.customerstudio.activities.delivery;

import io.customerstudio.activities.destinations.Batch;
import io.customerstudio.activities.destinations.DeliveryException;
import io.customerstudio.activities.destinations.DeliveryRow;
import io.customerstudio.activities.destinations.Pacer;
import io.customerstudio.activities.destinations.RowOutcome;
import io.customerstudio.infra.store.LeaseStore;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery core: takes numbered batches of rows (key, op, fields) for one destination and
 * delivers them in the destination's batch size and rate limit, each under its idempotency key,
 * with per-row outcomes, heartbeats and retries. Syncs deliver through it; journey sends will too.
 *
 * <p>Its contract:
 *
 * <ul>
 *   <li><b>At most one attempt sends a scope's batches at a time</b> ({@link Fence}: a lease in the
 *       app store, renewed with every heartbeat).
 *   <li><b>Each batch is recorded once it is delivered</b>, with its rejected rows, through the
 *       caller's {@link Ledger}; batches the ledger already has are skipped, so a retried attempt
 *       or a replay resumes without resending.
 *   <li><b>Transient failures are retried</b> with exponential backoff and jitter, honouring {@code
 *       Retry-After} for every request to the destination, for as long as the destination's outage
 *       budget lasts; then, or on a permanent refusal, it throws {@link DestinationFailed} naming
 *       the destination and its last error.
 *   <li><b>Stopping is clean</b>: on a failure, a cancellation or a lost lease no new batch starts,
 *       and batches in flight finish and are recorded (never sent and forgotten).
 * </ul>
 */
public final class Delivery {

  private static final Logger log = LoggerFactory.getLogger(Delivery.class);

  /**
   * How often the fence heartbeats and renews its lease, how long a lease lasts, and how long one
   * request may take. An attempt starts a request only while its lease has at least the request
   * time (plus a margin) left, so the lease outlives every request it started.
   */
  public record Timing(Duration tick, Duration leaseTtl, Duration requestTimeout) {

    public static final Timing DEFAULT =
        new Timing(Duration.ofSeconds(3), Duration.ofSeconds(45), Duration.ofSeconds(35));

    Duration sendWindow() {
      return leaseTtl.minus(requestTimeout).minus(tick);
    }
  }

  /** Where the rows of batch {@code n} come from: the same rows on every attempt. */
  @FunctionalInterface
  public interface Rows {
    List<DeliveryRow> of(int batch);
  }

  /** The record of delivered batches: what a retry or a replay skips. */
  public interface Ledger {
    Set<Integer> delivered();

    /** Records a delivered batch and its rejected rows, once; a second record changes nothing. */
    void record(BatchRef batch, List<DeliveryRow> rows, List<RowOutcome> rejected);
  }

  /**
   * What to deliver: a lease scope ({@code sync-run:<id>}), the source named in each batch (a sync
   * key), the run, its batches, their rows and the ledger.
   */
  public record Plan(
      String scope,
      String source,
      String runId,
      List<BatchRef> batches,
      Rows rows,
      Ledger ledger) {}

  /** What this call delivered: batches, accepted rows, rejected rows. */
  public record Result(int batches, long accepted, long rejected) {}

  private static final IntervalFunction BACKOFF =
      IntervalFunction.ofExponentialRandomBackoff(
          Duration.ofSeconds(1), 2.0, 0.5, Duration.ofMinutes(1));

  private final LeaseStore leases;
  private final Timing timing;

  public Delivery(LeaseStore leases, Timing timing) {
    this.leases = leases;
    this.timing = timing;
  }

  /**
   * Delivers the plan's batches that its ledger does not have.
   *
   * @param holder who this attempt is (unique per attempt: workflow, activity and attempt number)
   * @param heartbeat tells the orchestrator this attempt lives; throws when it must stop
   * @throws DestinationFailed when the destination's outage outlasted its budget, or it refused a
   *     batch permanently
   * @throws DeliveryAborted when this attempt may no longer send
   */
  public Result deliver(
      Plan plan, DestinationRuntime destination, String holder, Runnable heartbeat) {
    try (Fence fence = new Fence(leases, plan.scope(), holder, timing, heartbeat)) {
      fence.open();
      Set<Integer> done = plan.ledger().delivered();
      List<BatchRef> todo =
          plan.batches().stream().filter(b -> !done.contains(b.number())).toList();
      if (todo.isEmpty()) {
        return new Result(0, 0, 0);
      }
      AtomicLong accepted = new AtomicLong();
      AtomicLong rejected = new AtomicLong();
      // twice as many workers as requests allowed in flight: while some batches are at the
      // destination, others read their rows or record their outcome
      int inFlight = Math.max(1, destination.connector().parallelism());
      Semaphore requests = new Semaphore(inFlight);
      int threads = Math.max(1, Math.min(2 * inFlight, todo.size()));
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> futures = new ArrayList<>();
      try {
        for (BatchRef ref : todo) {
          futures.add(
              pool.submit(
                  () -> {
                    fence.checkSend();
                    List<DeliveryRow> rows = plan.rows().of(ref.number());
                    Batch batch =
                        new Batch(
                            plan.source(), plan.runId(), ref.number(), ref.idempotencyKey(), rows);
                    List<RowOutcome> outcomes = send(destination, batch, fence, requests);
                    List<RowOutcome> refused =
                        outcomes.stream().filter(o -> !o.accepted()).toList();
                    plan.ledger().record(ref, rows, refused);
                    accepted.addAndGet(rows.size() - refused.size());
                    rejected.addAndGet(refused.size());
                    return null;
                  }));
        }
        for (Future<?> f : futures) {
          f.get();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop(pool, futures);
        throw new DeliveryAborted("interrupted", e);
      } catch (ExecutionException e) {
        // batches not started stay unsent; those in flight finish and are recorded, so each one is
        // either not sent or sent and recorded
        stop(pool, futures);
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new IllegalStateException(e.getCause());
      } finally {
        pool.shutdown();
      }
      return new Result(todo.size(), accepted.get(), rejected.get());
    }
  }

  private static void stop(ExecutorService pool, List<Future<?>> futures) {
    futures.forEach(f -> f.cancel(false));
    pool.shutdown();
    try {
      pool.awaitTermination(10, TimeUnit.MINUTES);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }

  /** One batch, retried through transient failures within the destination's outage budget. */
  private List<RowOutcome> send(
      DestinationRuntime destination, Batch batch, Fence fence, Semaphore requests) {
    Pacer pacer = () -> pace(destination, fence);
    for (int attempt = 1; ; attempt++) {
      fence.checkSend();
      try {
        List<RowOutcome> out;
        requests.acquireUninterruptibly();
        try {
          out = destination.connector().deliver(batch, pacer);
        } finally {
          requests.release();
        }
        destination.succeeded();
        return out;
      } catch (DeliveryException e) {
        if (!e.retryable()) {
          throw new DestinationFailed(
              "destination "
                  + destination.key()
                  + " refused batch "
                  + batch.idempotencyKey()
                  + ": "
                  + e.getMessage()
                  + "; fix it and replay the run",
              e);
        }
        destination.failed(e);
        Duration failing = destination.failingFor();
        Duration left = destination.outageBudget().minus(failing);
        if (left.isNegative()) {
          throw new DestinationFailed(
              "destination "
                  + destination.key()
                  + " has been failing for "
                  + minutes(failing)
                  + " (its outage budget is "
                  + minutes(destination.outageBudget())
                  + "); last error: "
                  + e.getMessage()
                  + "; replay the run once it is back",
              e);
        }
        Duration wait = e.retryAfter().orElse(Duration.ofMillis(BACKOFF.apply(attempt)));
        if (wait.compareTo(left) > 0) {
          wait = left.plusSeconds(1); // one last try just after the budget's end
        }
        log.atInfo()
            .addKeyValue("destination", destination.key())
            .addKeyValue("batch", batch.idempotencyKey())
            .addKeyValue("attempt", attempt)
            .log(
                "batch {} failed ({}); next try in {} s",
                batch.idempotencyKey(),
                e.getMessage(),
                wait.toSeconds());
        fence.await(wait);
      }
    }
  }

  /** Before each request: the destination's pause, then its rate limit, then the fence. */
  private void pace(DestinationRuntime destination, Fence fence) {
    while (true) {
      fence.checkSend();
      Duration pause = destination.pauseLeft();
      if (pause.isZero()) {
        break;
      }
      fence.await(pause.compareTo(timing.tick()) < 0 ? pause : timing.tick());
    }
    while (!destination.permit()) {
      fence.checkSend();
    }
    fence.checkSend();
  }

  private static String minutes(Duration d) {
    long s = d.toSeconds();
    return s < 120 ? s + " s" : (s / 60) + " min";
  }
}
