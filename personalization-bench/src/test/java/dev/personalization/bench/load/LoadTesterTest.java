package dev.personalization.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.Scenario;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The search for the maximum sustainable rate and the stress test, against simulated targets of
 * known capacity on a virtual clock: whole runs of minutes take milliseconds and always end the same.
 */
class LoadTesterTest {

  private static final Workload REQUESTS =
      sender -> () -> new LoadRequest("u1", Scenario.HOMEPAGE, 20, null, null, null, List.of());
  private static final double CAPACITY = 3000;

  private final VirtualClock clock = new VirtualClock();

  private LoadTester.Builder tester(Target target) {
    OpenLoopRunner runner = OpenLoopRunner.builder(target, REQUESTS).clock(clock).build();
    return LoadTester.builder(runner).stepDuration(Duration.ofSeconds(10)).warmup(Duration.ofSeconds(1));
  }

  @Test
  void findsTheCapacityOfAnEngineLikeTargetWithinFivePercent() throws InterruptedException {
    // Sheds load beyond 100 in flight, like the engine's admission limit.
    SearchResult s = tester(new QueueTarget(clock, CAPACITY, 100)).build().findMaxSustainable(
        List.of(100.0, 500.0, 1000.0, 2000.0));
    assertTrue(s.maxSustainableRps() <= CAPACITY && s.maxSustainableRps() >= CAPACITY / 1.05,
        "max " + s.maxSustainableRps() + ", " + s.note());
    assertTrue(s.lowestFailingRps() <= s.maxSustainableRps() * 1.05);
    assertEquals(s.maxSustainableRps(), s.best().targetRps());
    List<Double> rates = new ArrayList<>();
    for (StepResult r : s.steps()) {
      rates.add(r.targetRps());
    }
    // The listed rates, then doubling until a failure, then bisection.
    assertEquals(List.of(100.0, 500.0, 1000.0, 2000.0, 4000.0, 3000.0, 3500.0, 3250.0, 3125.0), rates);
    assertTrue(s.steps().get(4).verdict().reasons().stream().anyMatch(x -> x.startsWith("errors 25.000%")),
        s.steps().get(4).verdict().toString());
  }

  @Test
  void findsTheCapacityOfAQueueingTargetToo() throws InterruptedException {
    // No admission limit: overload shows as a growing backlog and P99 beyond the SLO instead of errors.
    SearchResult s = tester(new QueueTarget(clock, CAPACITY, Integer.MAX_VALUE)).build().findMaxSustainable(
        List.of(100.0, 500.0, 1000.0, 2000.0));
    assertTrue(s.maxSustainableRps() <= CAPACITY && s.maxSustainableRps() >= CAPACITY / 1.05,
        "max " + s.maxSustainableRps() + ", " + s.note());
  }

  @Test
  void withoutExtendOnlyTheListedRatesRun() throws InterruptedException {
    SearchResult s = tester(new QueueTarget(clock, CAPACITY, 100)).extend(false).build()
        .findMaxSustainable(List.of(500.0, 100.0));
    assertEquals(2, s.steps().size());
    assertEquals(100, s.steps().get(0).targetRps(), "ascending order");
    assertEquals(500, s.maxSustainableRps());
  }

  @Test
  void whenTheFirstStepFailsThereIsNoMaximum() throws InterruptedException {
    SearchResult s = tester(new QueueTarget(clock, 50, 100)).build().findMaxSustainable(List.of(100.0, 500.0));
    assertTrue(Double.isNaN(s.maxSustainableRps()));
    assertNull(s.best());
    assertEquals(1, s.steps().size());
  }

  @Test
  void anInvalidStepIsRerunAndNeitherPassesNorFails() throws InterruptedException {
    // A fake runner whose generator lags on the first attempt at 1000 rps, and whose target
    // passes everything up to 1500 rps.
    List<Double> runs = new ArrayList<>();
    StepRunner runner = plan -> {
      runs.add(plan.rps());
      boolean lagging = plan.rps() == 1000 && runs.stream().filter(r -> r == 1000).count() == 1;
      StepResult base = Results.healthy();
      double achieved = plan.rps() <= 1500 ? plan.rps() : 1500;
      return new StepResult(plan.label(), plan.rps(), 1, 10, 10_000, 10_000, 0, 0, 0, 0, achieved, base.latency(),
          base.serviceTime(), Results.latency(0.1, lagging ? 5 : 0.1), 5, 5, base.cacheCounts(), 0.95, base.resources(),
          0.02, List.of(), Verdict.UNJUDGED);
    };
    SearchResult s = LoadTester.builder(runner).build().findMaxSustainable(List.of(500.0, 1000.0));
    assertEquals(Verdict.Status.INVALID, s.steps().get(1).verdict().status());
    assertEquals(1000, s.steps().get(2).targetRps());
    assertEquals(2, s.steps().get(2).attempt());
    assertEquals(Verdict.Status.PASS, s.steps().get(2).verdict().status());
    assertTrue(s.maxSustainableRps() >= 1500 / 1.05 && s.maxSustainableRps() <= 1500, "max " + s.maxSustainableRps());
  }

  @Test
  void aGeneratorThatStaysBehindBoundsTheSearchAndSaysSo() throws InterruptedException {
    StepRunner runner = plan -> {
      StepResult base = Results.healthy();
      return new StepResult(plan.label(), plan.rps(), 1, 10, 10_000, 10_000, 0, 0, 0, 0, plan.rps(), base.latency(),
          base.serviceTime(), Results.latency(0.1, plan.rps() >= 2000 ? 5 : 0.1), 5, 5, base.cacheCounts(), 0.95,
          base.resources(), 0.02, List.of(), Verdict.UNJUDGED);
    };
    SearchResult s = LoadTester.builder(runner).build().findMaxSustainable(List.of(1000.0, 2000.0));
    assertEquals(3, s.steps().stream().filter(r -> r.targetRps() == 2000).count(), "first run and two reruns");
    assertTrue(s.note().contains("bounded by the load generator"), s.note());
    assertTrue(s.maxSustainableRps() >= 1000);
  }

  @Test
  void theStressTestFindsTheBreakingRateAndTheRecoveryTime() throws InterruptedException {
    LoadTester t = tester(new QueueTarget(clock, CAPACITY, Integer.MAX_VALUE))
        .stressStepDuration(Duration.ofSeconds(10))
        .stressWarmup(Duration.ZERO)
        .overload(Duration.ofSeconds(2))
        .recovery(Duration.ofSeconds(8))
        .recoveryWindow(Duration.ofMillis(250))
        .build();
    StressResult s = t.stress(2000, 1500);
    // 2000 and 2500 hold; 3125 queues (P99 ~0.4 s) without breaking; 3906 breaks: P99 > 1 s, 77% achieved.
    assertEquals(3906, s.breakingRps(), s.note());
    assertEquals(4, s.ramp().size());
    // The 2 s overload leaves ~1800 requests queued; at 1500 rps they drain at 1500/s, and waits
    // fall under 100 ms once fewer than 300 are ahead: about 1 s after the drop.
    assertTrue(s.recoverySeconds() >= 0.75 && s.recoverySeconds() <= 1.5, "recovery " + s.recoverySeconds());
    assertEquals(40, s.recovery().timeline().size());
  }

  @Test
  void aTargetThatNeverBreaksEndsAtTheCap() throws InterruptedException {
    LoadTester t = tester(new QueueTarget(clock, 1_000_000, 100)).maxRps(3000).stressStepDuration(Duration.ofSeconds(1))
        .stressWarmup(Duration.ZERO).build();
    StressResult s = t.stress(1000, 500);
    assertTrue(Double.isNaN(s.breakingRps()));
    assertNull(s.recovery());
    assertTrue(s.note().startsWith("did not break"), s.note());
  }
}
