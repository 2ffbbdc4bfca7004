package dev.personalization.bench.capacity;

import static dev.personalization.bench.capacity.CapacityPlanner.GB;
import static dev.personalization.bench.capacity.CapacityPlanner.KB;
import static dev.personalization.bench.capacity.CapacityPlanner.MB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CapacityPlannerTest {

  @Test
  void reproducesTheGuidesWorkedExampleFromItsInputs() {
    CapacityPlanner.Inputs in = CapacityPlanner.Inputs.seedExample();
    assertEquals(1_000_000, in.totalUsers());
    assertEquals(100_000, in.dailyActiveUsers());
    assertEquals(2000, in.peakQps());
    assertEquals(0.025, in.cpuSecondsPerRequest(), 1e-12, "50 ms x 0.5 CPU");

    CapacityPlanner.Plan plan = CapacityPlanner.plan(in);
    assertEquals(50, plan.cores(), 1e-9, "2000 QPS x 0.05 s x 0.5 CPU/request = 50 cores");
    assertEquals(1 * GB, plan.cacheBytes(), 1e-3, "100,000 users x 10 KB = 1 GB");
    assertEquals(5 * GB, plan.processBytes(), 1e-3, "50 workers x 100 MB = 5 GB");
    assertEquals(6 * GB, plan.totalMemoryBytes(), 1e-3, "6 GB total");
    assertEquals(10, plan.instances(), "10 instances");
    assertEquals(8, plan.coresPerInstance(), "of 8 CPU");
    assertEquals(8 * GB, plan.instanceMemoryBytes(), 1e-3, "and 8 GB");
    assertEquals(16 * GB, plan.l2Bytes(), 1e-3, "Redis 16 GB");
    assertTrue(plan.explanation().get(0).endsWith("= 50 cores"), plan.explanation().get(0));
    assertTrue(plan.explanation().get(1).endsWith("= 6 GB"), plan.explanation().get(1));
    assertEquals("recommended: 10 instances of 8 CPU / 8 GB, L2 16 GB", plan.explanation().get(plan.explanation().size() - 1));
  }

  @Test
  void measuredUnitCostsShrinkThePlan() {
    CapacityPlanner.Inputs in = CapacityPlanner.Inputs.seedExample().withMeasured(0.0004, 1 * KB, 0, 512 * MB);
    CapacityPlanner.Plan plan = CapacityPlanner.plan(in);
    assertEquals(0.8, plan.cores(), 1e-9);
    assertEquals(100 * MB, plan.cacheBytes(), 1e-3);
    assertEquals(2, plan.instances(), "one for the load, one spare");
    assertEquals(2 * GB, plan.l2Bytes(), 1e-3, "1,000,000 x 1 KB / 0.8 -> 2 GB");
  }

  @Test
  void anInstanceTooSmallForItsShareGetsMoreMemory() {
    // 100 KB per user: every instance's L1 needs 10 GB, which 8 GB at 80% cannot hold.
    CapacityPlanner.Plan plan = CapacityPlanner.plan(CapacityPlanner.Inputs.seedExample()
        .withMeasured(0.025, 100 * KB, 100 * MB, 0));
    assertEquals(10.8 * GB, plan.memoryNeededPerInstanceBytes(), 1e-3);
    assertEquals(16 * GB, plan.instanceMemoryBytes(), 1e-3, "10.8 GB / 0.8 = 13.5 -> 16 GB");
  }

  @Test
  void badInputsAreRejectedWithTheirName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
        new CapacityPlanner.Inputs(10, 20, 1, 1, 1, 1, 0, 8, 8 * GB, 0.7, 0.8, 1, 0.8));
    assertTrue(e.getMessage().contains("dailyActiveUsers"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () ->
        new CapacityPlanner.Inputs(10, 5, 1, 1, 1, 1, 0, 8, 8 * GB, 1.5, 0.8, 1, 0.8));
    assertTrue(e.getMessage().contains("cpuTarget"), e.getMessage());
  }

  @Test
  void theCommandPrintsBothPlans() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int code = CapacityPlanCommand.run(new String[] {"--cpu-seconds-per-request", "0.0004", "--bytes-per-user", "1000"},
        out, out);
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, text);
    assertTrue(text.contains("recommended: 10 instances of 8 CPU / 8 GB, L2 16 GB"), text);
    assertTrue(text.contains("recommended: 2 instances of 8 CPU / 8 GB, L2 2 GB"), text);
    assertEquals(2, CapacityPlanCommand.run(new String[] {"--bogus", "1"}, out, out));
  }
}
