package dev.personalization.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.PersonalizationEngine;
import dev.personalization.inference.StandardRankingModel.Variant;
import dev.personalization.model.FeatureRows;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shipped model files: reproducible from the committed generator, and ONNX Runtime's outputs
 * checked against a pure-Java reference of the same network on 10,000 sample rows.
 */
class StandardRankingModelTest {

  private static final int ROWS = 10_000;
  /** The stated INT8 tolerance: |score − reference| on a [0, 1] score. Measured: about 0.002. */
  static final double INT8_TOLERANCE = 0.01;

  private static byte[] shipped(Variant v) throws Exception {
    try (InputStream in = StandardRankingModel.class.getClassLoader().getResourceAsStream(v.resource())) {
      assertNotNull(in, v.resource() + " is on the classpath");
      return in.readAllBytes();
    }
  }

  @Test
  void theShippedFilesAreExactlyWhatTheGeneratorWrites() throws Exception {
    for (Variant v : Variant.values()) {
      assertArrayEquals(shipped(v), StandardRankingModel.generate(StandardRankingModel.shippedColumns(), v),
          v + ": regenerate with personalization-bench's WriteModelFiles and commit the files");
    }
  }

  @Test
  void theShippedColumnsAreTheDemoEnginesColumns() {
    try (PersonalizationEngine engine = PersonalizationEngine.builder()
        .itemColumns(List.of("quality", "price_level", "freshness")).build()) {
      assertEquals(engine.columns(), StandardRankingModel.shippedColumns());
    }
  }

  @Test
  void fp32MatchesTheReferenceWithin1e5() {
    List<String> columns = StandardRankingModel.shippedColumns();
    float[] rows = StandardRankingModel.sampleRows(columns, ROWS, 20260604L);
    double[] reference = new ReferenceRankingModel(StandardRankingModel.Weights.of(columns)).scores(rows, ROWS);
    try (OnnxPredictor model = OnnxPredictor.standardRankingModel(columns)) {
      float[] onnx = scoreInChunks(model, rows, columns.size(), 1000);
      for (int r = 0; r < ROWS; r++) {
        assertEquals(reference[r], onnx[r], 1e-5, "row " + r);
      }
    }
  }

  @Test
  void int8VariantsStayWithinToleranceAndKeepTheTop20() {
    List<String> columns = StandardRankingModel.shippedColumns();
    float[] rows = StandardRankingModel.sampleRows(columns, ROWS, 20260604L);
    double[] reference = new ReferenceRankingModel(StandardRankingModel.Weights.of(columns)).scores(rows, ROWS);
    for (Variant v : List.of(Variant.INT8_STATIC, Variant.INT8_DYNAMIC)) {
      try (OnnxPredictor model = OnnxPredictor.standardRankingModel(columns, v)) {
        float[] onnx = scoreInChunks(model, rows, columns.size(), 1000);
        double maxDeviation = 0;
        for (int r = 0; r < ROWS; r++) {
          maxDeviation = Math.max(maxDeviation, Math.abs(onnx[r] - reference[r]));
        }
        assertTrue(maxDeviation <= INT8_TOLERANCE, v + " deviates by up to " + maxDeviation);
        double overlap = topKOverlap(reference, onnx, 20);
        assertTrue(overlap >= 0.95, v + " top-20 overlap " + overlap);
      }
    }
  }

  @Test
  void theModelRanksByAffinityAndPopularity() {
    List<String> columns = StandardRankingModel.shippedColumns();
    int w = columns.size();
    float[] rows = new float[2 * w];
    rows[w + columns.indexOf("category_affinity")] = 1f;
    rows[w + columns.indexOf("popularity")] = 1f;
    try (OnnxPredictor model = OnnxPredictor.standardRankingModel(columns)) {
      float[] s = model.predict(new FeatureRows(rows, 2, w)).join();
      assertTrue(s[1] > s[0] + 0.3, Arrays.toString(s));
    }
  }

  @Test
  void otherLayoutsGetAModelGeneratedByTheSameRecipe() {
    List<String> columns = StandardRankingModel.standardColumns(List.of("rating"));
    try (OnnxPredictor model = OnnxPredictor.standardRankingModel(columns)) {
      assertTrue(model.source().startsWith("generated:"), model.source());
      float[] rows = StandardRankingModel.sampleRows(columns, 100, 1);
      double[] reference = new ReferenceRankingModel(StandardRankingModel.Weights.of(columns)).scores(rows, 100);
      float[] onnx = model.predict(new FeatureRows(rows, 100, columns.size())).join();
      for (int r = 0; r < 100; r++) {
        assertEquals(reference[r], onnx[r], 1e-5);
      }
      assertFalse(model.scoresDependOnBatch());
    }
  }

  static float[] scoreInChunks(OnnxPredictor model, float[] rows, int width, int chunk) {
    int n = rows.length / width;
    float[] out = new float[n];
    for (int from = 0; from < n; from += chunk) {
      int count = Math.min(chunk, n - from);
      float[] part = Arrays.copyOfRange(rows, from * width, (from + count) * width);
      System.arraycopy(model.predict(new FeatureRows(part, count, width)).join(), 0, out, from, count);
    }
    return out;
  }

  /** |top-k of a ∩ top-k of b| / k. */
  static double topKOverlap(double[] a, float[] b, int k) {
    Set<Integer> top = new HashSet<>(topK(a.length, i -> a[i], k));
    top.retainAll(topK(b.length, i -> b[i], k));
    return (double) top.size() / k;
  }

  static List<Integer> topK(int n, java.util.function.IntToDoubleFunction score, int k) {
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    Arrays.sort(idx, (x, y) -> Double.compare(score.applyAsDouble(y), score.applyAsDouble(x)));
    return List.of(Arrays.copyOf(idx, k));
  }
}
