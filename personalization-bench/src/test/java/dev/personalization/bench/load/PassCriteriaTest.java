package dev.personalization.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PassCriteriaTest {

  private final PassCriteria rules = PassCriteria.ofDefaults();
  private final StepResult ok = Results.healthy();

  /** {@code ok} with one figure changed; NaN keeps the healthy value. */
  private StepResult change(double achieved, long errors, double p99, double first, double last, double cpu, double heap,
      double hit, double lag) {
    return Results.with(ok, pick(achieved, 1000), errors, pick(p99, 5), pick(first, 5), pick(last, 5), pick(cpu, 0.3),
        pick(heap, 0.2), pick(hit, 0.95), pick(lag, 0.1));
  }

  private static double pick(double v, double otherwise) {
    return Double.isNaN(v) ? otherwise : v;
  }

  private static final double K = Double.NaN;

  private Verdict judge(StepResult r) {
    return rules.judge(r);
  }

  @Test
  void aHealthyStepPasses() {
    Verdict v = judge(ok);
    assertEquals(Verdict.Status.PASS, v.status(), v.reasons().toString());
  }

  @Test
  void achievedMustBeAtLeast99PercentOfTarget() {
    assertTrue(judge(change(990, 0, K, K, K, K, K, K, K)).passed());
    Verdict v = judge(change(989, 0, K, K, K, K, K, K, K));
    assertEquals(Verdict.Status.FAIL, v.status());
    assertTrue(v.reasons().get(0).startsWith("achieved"), v.reasons().toString());
  }

  @Test
  void errorsAreCountedAgainstScheduledRequests() {
    assertTrue(judge(change(K, 10, K, K, K, K, K, K, K)).passed(), "10 of 10,000 is 0.1%");
    Verdict v = judge(change(K, 11, K, K, K, K, K, K, K));
    assertFalse(v.passed());
    assertTrue(v.reasons().get(0).startsWith("errors"), v.reasons().toString());
  }

  @Test
  void p99MustMeetTheSlo() {
    assertTrue(judge(change(K, 0, 100, K, K, K, K, K, K)).passed());
    assertFalse(judge(change(K, 0, 100.5, K, K, K, K, K, K)).passed());
    assertTrue(PassCriteria.withSlo(Duration.ofMillis(200)).judge(change(K, 0, 150, K, K, K, K, K, K)).passed());
  }

  @Test
  void aGrowingBacklogFailsTheStep() {
    // Last third 1.6x the first and well above the floor (10 ms): a queue that keeps growing.
    Verdict v = judge(change(K, 0, 40, 20, 32, K, K, K, K));
    assertFalse(v.passed());
    assertTrue(v.reasons().get(0).startsWith("backlog growing"), v.reasons().toString());
    assertTrue(judge(change(K, 0, 40, 20, 30, K, K, K, K)).passed(), "exactly 1.5x is allowed");
  }

  @Test
  void backlogNoiseBelowTheFloorIsNotAFailure() {
    // 3x, but 3 ms against a floor of a tenth of the SLO (10 ms): scheduling noise.
    assertTrue(judge(change(K, 0, 5, 1, 3, K, K, K, K)).passed());
  }

  @Test
  void cpuHeapAndHitRateHaveTheGuidesFloors() {
    assertTrue(judge(change(K, 0, K, K, K, 0.70, 0.80, 0.80, K)).passed());
    assertEquals(List.of("CPU 70.1% > 70%"), judge(change(K, 0, K, K, K, 0.701, K, K, K)).reasons());
    assertEquals(List.of("heap 80.1% > 80%"), judge(change(K, 0, K, K, K, K, 0.801, K, K)).reasons());
    assertEquals(List.of("hit rate 79.9% < 80%"), judge(change(K, 0, K, K, K, K, K, 0.799, K)).reasons());
  }

  @Test
  void unmeasuredResourcesAreNotJudged() {
    StepResult remote = Results.with(ok, 1000, 0, 5, 5, 5, Double.NaN, Double.NaN, Double.NaN, 0.1);
    assertTrue(judge(remote).passed());
  }

  @Test
  void everyBrokenRuleIsReported() {
    Verdict v = judge(change(500, 1000, 300, 100, 300, 0.9, 0.9, 0.5, K));
    assertEquals(7, v.reasons().size(), v.reasons().toString());
  }

  @Test
  void aLaggingGeneratorMakesTheStepInvalidNotFailed() {
    Verdict v = judge(change(500, 1000, 300, K, K, K, K, K, 1.5));
    assertEquals(Verdict.Status.INVALID, v.status());
    assertEquals(1, v.reasons().size());
    assertTrue(v.reasons().get(0).startsWith("load generator fell behind"), v.reasons().toString());
    assertTrue(judge(change(K, 0, K, K, K, K, K, K, 1.0)).passed(), "exactly 1 ms is allowed");
  }

  @Test
  void breakCriteriaAreTheStressTestsLooserThresholds() {
    BreakCriteria b = BreakCriteria.withSlo(Duration.ofMillis(100));
    assertFalse(b.breaks(change(901, 100, 999, K, K, K, K, K, K)), "91% achieved, 1% errors, P99 < 1 s");
    assertTrue(b.breaks(change(899, 0, K, K, K, K, K, K, K)));
    assertTrue(b.breaks(change(K, 101, K, K, K, K, K, K, K)));
    assertTrue(b.breaks(change(K, 0, 1001, K, K, K, K, K, K)));
  }
}
