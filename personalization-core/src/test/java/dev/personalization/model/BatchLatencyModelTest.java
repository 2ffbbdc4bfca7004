package dev.personalization.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class BatchLatencyModelTest {

  @Test
  void fitsInterceptAndSlopeOfVaryingBatches() {
    BatchLatencyModel m = new BatchLatencyModel();
    assertNull(m.fit());
    assertEquals(500, m.rowsWithin(1_000_000, 10, 500));
    for (int rows : new int[] {10, 400, 90, 1200, 33}) {
      m.record(rows, 200_000 + 3_000L * rows);
    }
    double[] fit = m.fit();
    assertEquals(200_000, fit[0], 1e-3);
    assertEquals(3_000, fit[1], 1e-6);
    assertEquals(266, m.rowsWithin(1_000_000, 10, 5000));
    assertEquals(10, m.rowsWithin(100_000, 10, 5000), "never below the floor");
    assertEquals(100, m.rowsWithin(1_000_000_000, 10, 100), "never above the cap");
  }

  @Test
  void sameSizedBatchesAreReadAsProportionalCost() {
    BatchLatencyModel m = new BatchLatencyModel();
    for (int i = 0; i < 10; i++) {
      m.record(200, 1_000_000);
    }
    double[] fit = m.fit();
    assertEquals(0, fit[0]);
    assertEquals(5_000, fit[1], 1e-9);
  }

  @Test
  void recentCallsOutweighOldOnes() {
    BatchLatencyModel m = new BatchLatencyModel();
    for (int i = 0; i < 200; i++) {
      m.record(100 + i % 50, 1_000L * (100 + i % 50));
    }
    for (int i = 0; i < 200; i++) {
      m.record(100 + i % 50, 4_000L * (100 + i % 50));
    }
    assertEquals(4_000, m.fit()[1], 40);
  }
}
