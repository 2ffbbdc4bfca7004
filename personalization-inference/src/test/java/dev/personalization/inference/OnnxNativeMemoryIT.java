package dev.personalization.inference;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.inference.StandardRankingModel.Variant;
import dev.personalization.model.FeatureRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Native memory does not grow with use: after a warm-up, 100,000 calls of varying batch sizes, and
 * 100 load/close cycles, the process's resident set (VmRSS) stays within a generous bound. A leaked
 * OnnxTensor, Result or session per call would add megabytes per thousand calls.
 */
class OnnxNativeMemoryIT {

  private static final List<String> COLUMNS = StandardRankingModel.shippedColumns();
  private static final int W = COLUMNS.size();
  private static final long BOUND_KB = 64 * 1024;

  @Test
  void residentMemoryStaysFlatOverAHundredThousandCalls() throws Exception {
    float[] rows = StandardRankingModel.sampleRows(COLUMNS, 256, 1);
    try (OnnxPredictor model = OnnxPredictor.standardRankingModel(COLUMNS, Variant.FP32)) {
      for (int i = 0; i < 20_000; i++) {
        model.predict(new FeatureRows(rows, 1 + (i * 31) % 256, W)).join();
      }
      long before = rssKb();
      for (int i = 0; i < 100_000; i++) {
        model.predict(new FeatureRows(rows, 1 + (i * 31) % 256, W)).join();
      }
      long after = rssKb();
      System.out.printf("100,000 calls: VmRSS %d kB -> %d kB (%+d kB)%n", before, after, after - before);
      assertTrue(after - before < BOUND_KB, "VmRSS grew by " + (after - before) + " kB over 100,000 calls");
    }
  }

  @Test
  void residentMemoryStaysFlatOverRepeatedLoadsAndCloses() throws Exception {
    float[] rows = StandardRankingModel.sampleRows(COLUMNS, 64, 2);
    for (int i = 0; i < 20; i++) {
      try (OnnxPredictor m = OnnxPredictor.standardRankingModel(COLUMNS, Variant.INT8_STATIC)) {
        m.predict(new FeatureRows(rows, 64, W)).join();
      }
    }
    long before = rssKb();
    for (int i = 0; i < 100; i++) {
      try (OnnxPredictor m = OnnxPredictor.standardRankingModel(COLUMNS, Variant.INT8_STATIC)) {
        m.predict(new FeatureRows(rows, 64, W)).join();
      }
    }
    long after = rssKb();
    System.out.printf("100 load/close cycles: VmRSS %d kB -> %d kB (%+d kB)%n", before, after, after - before);
    assertTrue(after - before < BOUND_KB, "VmRSS grew by " + (after - before) + " kB over 100 loads");
  }

  /** VmRSS after a GC, so that unreachable direct buffers are released first. */
  private static long rssKb() throws Exception {
    System.gc();
    Thread.sleep(200);
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
