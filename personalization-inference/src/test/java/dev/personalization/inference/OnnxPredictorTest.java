package dev.personalization.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.inference.OnnxWriter.Attr;
import dev.personalization.inference.StandardRankingModel.Variant;
import dev.personalization.model.FeatureRows;
import dev.personalization.model.InvalidRowException;
import dev.personalization.model.ModelLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxPredictorTest {

  private static final List<String> COLUMNS = StandardRankingModel.shippedColumns();
  private static final int W = COLUMNS.size();

  private static Throwable failure(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, f::get);
    return e.getCause();
  }

  private static ModelLoadException loadFails(byte[] model, List<String> columns) {
    return assertThrows(ModelLoadException.class, () -> OnnxPredictor.builder().modelBytes(model).columns(columns).build());
  }

  private static void assertMentions(Throwable e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention '" + p + "'");
    }
  }

  // ---------------------------------------------------------------- loading and versions

  @Test
  void pathClasspathAndBytesLoadTheSameModelWithTheSha256AsVersion(@TempDir Path dir) throws Exception {
    byte[] bytes = StandardRankingModel.bytes(COLUMNS, Variant.FP32);
    Path file = Files.write(dir.resolve("m.onnx"), bytes);
    String sha = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    float[] rows = StandardRankingModel.sampleRows(COLUMNS, 50, 3);
    try (OnnxPredictor fromPath = OnnxPredictor.builder().modelPath(file).columns(COLUMNS).build();
        OnnxPredictor fromClasspath = OnnxPredictor.builder().modelResource(Variant.FP32.resource()).columns(COLUMNS).build();
        OnnxPredictor fromBytes = OnnxPredictor.builder().modelBytes(bytes).columns(COLUMNS).build()) {
      for (OnnxPredictor p : List.of(fromPath, fromClasspath, fromBytes)) {
        assertEquals(sha, p.version());
        assertArrayEquals(fromBytes.predict(new FeatureRows(rows, 50, W)).join(), p.predict(new FeatureRows(rows, 50, W)).join());
      }
      assertEquals(file.toString(), fromPath.source());
    }
    try (OnnxPredictor int8 = OnnxPredictor.standardRankingModel(COLUMNS, Variant.INT8_STATIC)) {
      assertFalse(int8.version().equals(sha), "another model, another version");
    }
  }

  @Test
  void sessionOptionsTurnSpinningOff() {
    try (OnnxPredictor p = OnnxPredictor.standardRankingModel(COLUMNS)) {
      Map<String, String> config = p.sessionConfig();
      assertEquals("0", config.get("session.intra_op.allow_spinning"));
      assertEquals("0", config.get("session.inter_op.allow_spinning"));
    }
  }

  @Test
  void batchDependenceIsDetectedForDynamicInt8Only() {
    try (OnnxPredictor fp32 = OnnxPredictor.standardRankingModel(COLUMNS, Variant.FP32);
        OnnxPredictor qdq = OnnxPredictor.standardRankingModel(COLUMNS, Variant.INT8_STATIC);
        OnnxPredictor dynamic = OnnxPredictor.standardRankingModel(COLUMNS, Variant.INT8_DYNAMIC)) {
      assertFalse(fp32.scoresDependOnBatch());
      assertFalse(qdq.scoresDependOnBatch());
      assertTrue(dynamic.scoresDependOnBatch());
      // And the flag is real: the dynamic model scores a row differently next to a wide-ranging one.
      float[] row = StandardRankingModel.sampleRows(COLUMNS, 1, 9);
      float[] pair = Arrays.copyOf(row, 2 * W);
      Arrays.fill(pair, W, 2 * W, 40f);
      float alone = dynamic.predict(new FeatureRows(row, 1, W)).join()[0];
      float together = dynamic.predict(new FeatureRows(pair, 2, W)).join()[0];
      assertTrue(Math.abs(alone - together) > 1e-3, alone + " vs " + together);
      assertEquals(qdq.predict(new FeatureRows(row, 1, W)).join()[0], qdq.predict(new FeatureRows(pair, 2, W)).join()[0], 1e-6);
    }
  }

  // ---------------------------------------------------------------- int64 ids and output shapes

  /** score = sigmoid(a·0.5 + b·(−0.25) + embedding[category]), with category an int64 id input. */
  private static byte[] idModel(boolean rankOneOutput) {
    OnnxWriter.Graph g = new OnnxWriter.Graph("ids");
    g.input("dense", OnnxWriter.FLOAT, "N", 2L);
    g.input("category", OnnxWriter.INT64, "N", 1L);
    g.floats("w", new long[] {2, 1}, new float[] {0.5f, -0.25f});
    g.floats("embedding", new long[] {4, 1}, new float[] {-1f, 0f, 1f, 2f});
    g.int64s("flat", new long[] {1}, new long[] {-1});
    String dense = g.op("MatMul", "dense_score", "dense", "w");
    String ids = g.op("Reshape", "ids", "category", "flat");
    String emb = g.node("Gather", new String[] {"embedding", ids}, new String[] {"emb"}, Attr.of("axis", 0L));
    String logit = g.op("Add", "logit", dense, emb);
    if (rankOneOutput) {
      g.int64s("n", new long[] {1}, new long[] {-1});
      g.op("Sigmoid", "sig", logit);
      g.op("Reshape", "score", "sig", "n");
      g.output("score", OnnxWriter.FLOAT, "N");
    } else {
      g.op("Sigmoid", "score", logit);
      g.output("score", OnnxWriter.FLOAT, "N", 1L);
    }
    return g.model(8, Map.of("", 13), "test", Map.of("columns:dense", "a,b"));
  }

  @Test
  void int64IdInputsAndARankOneOutputAreSupported() {
    List<String> columns = List.of("a", "category", "b");
    float[] rows = {1f, 2f, 2f, 0f, 0f, 0f, -2f, 3f, 4f};
    double[] expected = new double[3];
    float[] emb = {-1f, 0f, 1f, 2f};
    for (int r = 0; r < 3; r++) {
      double z = 0.5 * rows[3 * r] - 0.25 * rows[3 * r + 2] + emb[(int) rows[3 * r + 1]];
      expected[r] = 1 / (1 + Math.exp(-z));
    }
    for (boolean rankOne : new boolean[] {false, true}) {
      try (OnnxPredictor p = OnnxPredictor.builder().modelBytes(idModel(rankOne)).columns(columns).build()) {
        float[] s = p.predict(new FeatureRows(rows, 3, 3)).join();
        for (int r = 0; r < 3; r++) {
          assertEquals(expected[r], s[r], 1e-6);
        }
        float[] fractional = {1f, 1.5f, 0f};
        InvalidRowException e = assertInstanceOf(InvalidRowException.class,
            failure(p.predict(new FeatureRows(fractional, 1, 3))));
        assertEquals("category", e.column());
      }
    }
  }

  // ---------------------------------------------------------------- bad models

  @Test
  void corruptTruncatedAndEmptyModelsFailToLoadWithAClearError(@TempDir Path dir) {
    byte[] good = StandardRankingModel.bytes(COLUMNS, Variant.FP32);
    byte[] garbage = new byte[4096];
    new java.util.SplittableRandom(1).nextBytes(garbage);
    assertMentions(loadFails(garbage, COLUMNS), "bytes(4096)", "ONNX Runtime cannot load it");
    assertMentions(loadFails(Arrays.copyOf(good, good.length / 2), COLUMNS), "ONNX Runtime cannot load it");
    assertMentions(loadFails(new byte[0], COLUMNS), "empty");
    assertMentions(assertThrows(ModelLoadException.class,
        () -> OnnxPredictor.builder().modelPath(dir.resolve("missing.onnx")).columns(COLUMNS).build()), "cannot be read");
    assertMentions(assertThrows(ModelLoadException.class,
        () -> OnnxPredictor.builder().modelResource("no/such.onnx").columns(COLUMNS).build()), "no such classpath resource");
  }

  @Test
  void aModelForOtherFeaturesFailsToLoadSayingWhatDiffers() {
    // Generated for an engine with one item column: 21 columns, where this engine has 23.
    List<String> narrow = StandardRankingModel.standardColumns(List.of("quality"));
    byte[] model = StandardRankingModel.generate(narrow, Variant.FP32);
    assertMentions(loadFails(model, COLUMNS), "[item_price_level, item_freshness] feed no model input",
        "take 21 of the engine's 23 columns");
    // An input whose declared width disagrees with the columns its metadata lists.
    OnnxWriter.Graph g = new OnnxWriter.Graph("wide");
    g.input("features", OnnxWriter.FLOAT, "N", 21L);
    g.floats("w", new long[] {21, 1}, new float[21]);
    g.op("MatMul", "score", "features", "w");
    g.output("score", OnnxWriter.FLOAT, "N", 1L);
    byte[] lying = g.model(8, Map.of("", 13), "test", Map.of("columns:features", String.join(",", COLUMNS)));
    assertMentions(loadFails(lying, COLUMNS), "input 'features' has width 21 but the model lists 23 columns");
    // Same width, one column renamed.
    List<String> renamed = StandardRankingModel.standardColumns(List.of("quality", "price_level", "age"));
    assertMentions(loadFails(StandardRankingModel.generate(renamed, Variant.FP32), COLUMNS), "needs column 'item_age'");
  }

  @Test
  void inputsAndOutputsOfTheWrongKindAreRejectedAtLoad() {
    List<String> cols = List.of("x");
    Object[] n1 = {"N", 1L};
    assertMentions(loadFails(tinyModel("x", OnnxWriter.FLOAT, n1, "Concat", new Object[] {"N", 2L}), cols),
        "output 'score' has shape [-1, 2]");
    assertMentions(loadFails(tinyModel("x", 11, n1, "Cast", n1), cols), "input 'x' has element type DOUBLE");
    assertMentions(loadFails(tinyModel("x", OnnxWriter.FLOAT, new Object[] {1L, 1L}, "Sigmoid", new Object[] {1L, 1L}), cols),
        "fixes the batch dimension at 1");
    assertMentions(loadFails(tinyModel("x", OnnxWriter.FLOAT, new Object[] {"N", 1L, 1L}, "Sigmoid",
        new Object[] {"N", 1L, 1L}), cols), "has rank 3");
    assertMentions(loadFails(tinyModel("y", OnnxWriter.FLOAT, n1, "Sigmoid", n1), cols),
        "input 'y' [-1, 1] maps to no feature columns");
    assertMentions(loadFails(tinyModel("x", OnnxWriter.FLOAT, n1, "Sigmoid", n1), List.of("x", "unused")),
        "feature columns [unused] feed no model input");
    // The same tiny model with matching columns loads and scores: the failures above are the mismatches.
    try (OnnxPredictor ok = OnnxPredictor.builder().modelBytes(tinyModel("x", OnnxWriter.FLOAT, n1, "Sigmoid", n1))
        .columns(cols).build()) {
      assertEquals(0.5f, ok.predict(new FeatureRows(new float[] {0f}, 1, 1)).join()[0], 1e-7);
    }
  }

  /** {@code score = op(input)}: Sigmoid, Cast to float, or Concat of the input with itself on axis 1. */
  private static byte[] tinyModel(String input, int inputType, Object[] inShape, String op, Object[] outShape) {
    OnnxWriter.Graph g = new OnnxWriter.Graph("tiny");
    g.input(input, inputType, inShape);
    switch (op) {
      case "Cast" -> g.node("Cast", new String[] {input}, new String[] {"score"}, Attr.of("to", (long) OnnxWriter.FLOAT));
      case "Concat" -> g.node("Concat", new String[] {input, input}, new String[] {"score"}, Attr.of("axis", 1L));
      default -> g.op(op, "score", input);
    }
    g.output("score", OnnxWriter.FLOAT, outShape);
    return g.model(8, Map.of("", 13), "test", Map.of());
  }

  // ---------------------------------------------------------------- bad rows

  @Test
  void nonFiniteRowsEmptyBatchesAndWrongWidthsAreClearErrors() {
    try (OnnxPredictor p = OnnxPredictor.standardRankingModel(COLUMNS)) {
      float[] rows = StandardRankingModel.sampleRows(COLUMNS, 3, 5);
      rows[2 * W + COLUMNS.indexOf("popularity")] = Float.NaN;
      InvalidRowException nan = assertInstanceOf(InvalidRowException.class, failure(p.predict(new FeatureRows(rows, 3, W))));
      assertEquals(2, nan.row());
      assertEquals("popularity", nan.column());
      assertMentions(nan, "row 2", "feature 'popularity'", "NaN");
      rows[2 * W + COLUMNS.indexOf("popularity")] = 0.5f;
      rows[W + COLUMNS.indexOf("item_quality")] = Float.NEGATIVE_INFINITY;
      assertMentions(failure(p.predict(new FeatureRows(rows, 3, W))), "row 1", "item_quality", "Infinity");
      assertMentions(failure(p.predict(new FeatureRows(rows, 0, W))), "empty batch");
      assertMentions(failure(p.predict(new FeatureRows(new float[10], 2, 5))), "width 5", "expects 23");
      // The model still serves good rows afterwards.
      assertEquals(1, p.predict(new FeatureRows(StandardRankingModel.sampleRows(COLUMNS, 1, 6), 1, W)).join().length);
    }
  }

  @Test
  void aClosedPredictorFailsCallsAndReleasesItsSession() {
    OnnxPredictor p = OnnxPredictor.standardRankingModel(COLUMNS);
    p.close();
    assertTrue(p.isClosed());
    assertMentions(failure(p.predict(new FeatureRows(new float[W], 1, W))), "closed");
    p.close();
  }

  @Test
  void concurrentCallsShareTheSessionAndGetTheirOwnScores() throws Exception {
    try (OnnxPredictor p = OnnxPredictor.standardRankingModel(COLUMNS)) {
      float[] rows = StandardRankingModel.sampleRows(COLUMNS, 64, 8);
      float[] expected = p.predict(new FeatureRows(rows, 64, W)).join();
      List<CompletableFuture<Void>> callers = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        callers.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < 200; i++) {
            int n = 1 + i % 64;
            float[] got = p.predict(new FeatureRows(rows, n, W)).join();
            for (int r = 0; r < n; r++) {
              assertEquals(expected[r], got[r], 1e-6);
            }
          }
        }));
      }
      CompletableFuture.allOf(callers.toArray(CompletableFuture[]::new)).get();
    }
  }
}
