package io.customerstudio.bench;

import io.customerstudio.infra.workspace.Workspace;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.governance.Split;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The journey bench's baseline: the same five-node journey with one workflow per person, as a
 * per-person orchestration would run it. Sleep (the wait), an activity for the branch (the same
 * audience condition, asked of the warehouse for this one person), the split decided in the
 * workflow by the same hash, an activity that sends the person's one row to the sink, and an
 * activity for the exit (a step is recorded, as the engine records its steps).
 */
@WorkflowInterface
public interface PersonWorkflow {

  @WorkflowMethod(name = "BenchPerson")
  void run(String person, long waitMillis, String salt);

  /** The baseline's activities: the branch, the send and the exit of one person. */
  @ActivityInterface
  interface Steps {
    @ActivityMethod(name = "BenchPersonBranch")
    boolean branch(String person);

    @ActivityMethod(name = "BenchPersonSend")
    void send(String person);

    @ActivityMethod(name = "BenchPersonExit")
    void exit(String person);
  }

  /** See {@link PersonWorkflow}. */
  class Impl implements PersonWorkflow {
    private final Steps steps =
        Workflow.newActivityStub(
            Steps.class,
            ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(2)).build());

    @Override
    public void run(String person, long waitMillis, String salt) {
      Workflow.sleep(Duration.ofMillis(waitMillis));
      boolean europe = steps.branch(person);
      boolean held = false;
      if (europe) {
        // the split: 50 / 40 / 10 holdout, the governance split's bucket
        held = Split.bucket(salt, person) >= 9_000;
      }
      if (!held) {
        steps.send(person);
      }
      steps.exit(person);
    }
  }

  /** The activities, counting what they did. */
  final class StepsImpl implements Steps {
    final AtomicLong branches = new AtomicLong();
    final AtomicLong europe = new AtomicLong();
    final AtomicLong sends = new AtomicLong();
    final AtomicLong exits = new AtomicLong();
    private final Workspace workspace;
    private final Condition condition;
    private final String url;
    private final HttpClient http = HttpClient.newHttpClient();

    StepsImpl(Workspace workspace, Condition condition, String url) {
      this.workspace = workspace;
      this.condition = condition;
      this.url = url;
    }

    @Override
    public boolean branch(String person) {
      boolean in =
          !workspace
              .engine()
              .keyed()
              .matching("users", condition, List.of(person), Instant.now())
              .isEmpty();
      branches.incrementAndGet();
      if (in) {
        europe.incrementAndGet();
      }
      return in;
    }

    @Override
    public void send(String person) {
      Map<String, Object> v =
          workspace
              .engine()
              .keyed()
              .values("users", List.of(person), List.of("email", "first_name"), Instant.now())
              .get(person);
      String body =
          "{\"rows\":[{\"op\":\"upsert\",\"key\":\""
              + v.get("email")
              + "\",\"fields\":{\"email\":\""
              + v.get("email")
              + "\",\"firstName\":\""
              + v.get("first_name")
              + "\"}}]}";
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() != 200) {
          throw new IllegalStateException("sink answered " + r.statusCode());
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sends.incrementAndGet();
    }

    @Override
    public void exit(String person) {
      exits.incrementAndGet();
    }
  }
}
