package dev.personalization.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.Scenario;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The runner under a virtual clock against a simulated queue of known capacity. */
class OpenLoopRunnerTest {

  private static final Workload SAME_REQUEST =
      sender -> () -> new LoadRequest("u1", Scenario.HOMEPAGE, 20, null, null, null, List.of());

  private final VirtualClock clock = new VirtualClock();

  private OpenLoopRunner runner(Target target, Duration drain) {
    return OpenLoopRunner.builder(target, SAME_REQUEST).clock(clock).drainTimeout(drain).build();
  }

  @Test
  void belowCapacityEveryScheduledRequestIsAnsweredAtTheServiceTime() throws InterruptedException {
    QueueTarget target = new QueueTarget(clock, 1000, 100);
    StepResult r = runner(target, Duration.ofSeconds(5)).run(StepPlan.steady(500, Duration.ofSeconds(1),
        Duration.ofSeconds(4), Arrivals.FIXED, "step"));
    assertEquals(2000, r.scheduled());
    assertEquals(2000, r.completed());
    assertEquals(0, r.errors());
    assertEquals(500, r.achievedRps(), 1);
    assertEquals(1.0, r.latency().p99(), 0.01, "1 ms of service, no queueing");
    assertEquals(0, r.sendLag().count(), "send lag is not measured in virtual time");
    assertEquals(0.9, r.hitRate(), 1e-9);
    assertEquals(0.3, r.resources().cpu());
  }

  @Test
  void aStallShowsInEveryRequestDueDuringItNotJustTheOneThatWasSent() throws InterruptedException {
    // The server stalls for half a second in the middle of a 10 s step at 100 rps. A closed-loop
    // harness would record one slow request; open loop records the 50 that fell due meanwhile, the
    // first waiting about half a second, the last about 10 ms.
    QueueTarget target = new QueueTarget(clock, 10_000, 10_000);
    OpenLoopRunner runner = runner(target, Duration.ofSeconds(5));
    long start = clock.nanoTime();
    target.stallFrom = start + 5_000_000_000L;
    target.stallUntil = start + 5_500_000_000L;
    StepResult r = runner.run(StepPlan.steady(100, Duration.ZERO, Duration.ofSeconds(10), Arrivals.FIXED, "step"));
    assertEquals(1000, r.completed());
    assertTrue(r.latency().max() >= 490, "max " + r.latency().max());
    // 5% of requests were due during the stall: P90 is still fast, P99 is hundreds of ms.
    assertTrue(r.latency().p90() < 1, "p90 " + r.latency().p90());
    assertTrue(r.latency().p99() > 300, "p99 " + r.latency().p99());
    assertTrue(r.serviceTime().p99() > 300, "service time of requests sent into the stall");
  }

  @Test
  void overloadIsCountedAgainstScheduledRequests() throws InterruptedException {
    QueueTarget target = new QueueTarget(clock, 1000, 50);
    StepResult r = runner(target, Duration.ofSeconds(5)).run(StepPlan.steady(2000, Duration.ofSeconds(1),
        Duration.ofSeconds(5), Arrivals.FIXED, "step"));
    assertEquals(10_000, r.scheduled());
    assertEquals(r.scheduled(), r.completed() + r.errors());
    assertEquals(r.errors(), r.rejected());
    assertEquals(0.5, r.errorRate(), 0.01);
    assertEquals(1000, r.achievedRps(), 15);
  }

  @Test
  void requestsStillUnansweredWhenTheDrainEndsAreErrors() throws InterruptedException {
    // No admission limit: at 2x capacity a 5 s step builds a 5 s backlog; a 1 s drain leaves most unanswered.
    QueueTarget target = new QueueTarget(clock, 1000, Integer.MAX_VALUE);
    StepResult r = runner(target, Duration.ofSeconds(1)).run(StepPlan.steady(2000, Duration.ZERO,
        Duration.ofSeconds(5), Arrivals.FIXED, "step"));
    assertEquals(10_000, r.scheduled());
    assertEquals(r.scheduled(), r.completed() + r.errors());
    assertEquals(r.errors(), r.timedOut());
    assertEquals(6000, r.completed(), 2, "6 s of service at 1000 rps");
  }

  @Test
  void aGrowingBacklogShowsInTheLastThird() throws InterruptedException {
    QueueTarget target = new QueueTarget(clock, 1000, Integer.MAX_VALUE);
    StepResult r = runner(target, Duration.ofSeconds(10)).run(StepPlan.steady(1200, Duration.ZERO,
        Duration.ofSeconds(6), Arrivals.FIXED, "step"));
    assertEquals(r.scheduled(), r.completed());
    assertTrue(r.lastThirdP99() > 1.5 * r.firstThirdP99(), r.firstThirdP99() + " -> " + r.lastThirdP99());
    assertEquals(Verdict.Status.FAIL, PassCriteria.ofDefaults().judge(r).status());
  }

  @Test
  void poissonArrivalsKeepTheMeanRate() throws InterruptedException {
    QueueTarget target = new QueueTarget(clock, 100_000, 100_000);
    StepResult r = runner(target, Duration.ofSeconds(1)).run(StepPlan.steady(1000, Duration.ZERO,
        Duration.ofSeconds(20), Arrivals.POISSON, "step"));
    assertEquals(20_000, r.scheduled(), 600);
    assertEquals(r.scheduled(), r.completed());
  }

  @Test
  void theTimelineCoversTheDropAndShowsTheBacklogDraining() throws InterruptedException {
    QueueTarget target = new QueueTarget(clock, 3000, Integer.MAX_VALUE);
    // 2 s at 6000 rps builds a 2 s backlog (6000 requests); at 1500 rps it shrinks by 1500/s, and
    // new requests wait less than 100 ms once fewer than 300 are ahead: 3.8 s after the drop.
    StepResult r = runner(target, Duration.ofSeconds(10)).run(StepPlan.dropAfter(6000, Duration.ofSeconds(2), 1500,
        Duration.ofSeconds(8), Duration.ofMillis(250), Arrivals.FIXED));
    assertEquals(40, r.timeline().size());
    double seconds = StressResult.recoverySeconds(r.timeline(), 2000, 250, 100);
    assertEquals(4.0, seconds, 0.26, "recovery " + seconds);
    for (TimelineWindow w : r.timeline()) {
      assertEquals(w.due(), w.finished(), "drained within the timeout");
    }
  }
}
