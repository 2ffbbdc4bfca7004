package dev.personalization.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.inference.StandardRankingModel.Variant;
import dev.personalization.model.BatchingPredictor;
import dev.personalization.model.FeatureRows;
import dev.personalization.model.Prediction;
import dev.personalization.model.SwappablePredictor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Hot swap under load: callers keep scoring through a batcher while the model is swapped back and
 * forth between FP32 and static INT8. No call may fail, every answer must carry the scores of the
 * version it reports, and every retired session must be closed once its calls are done.
 */
class OnnxHotSwapTest {

  private static final List<String> COLUMNS = StandardRankingModel.shippedColumns();
  private static final int W = COLUMNS.size();

  @Test
  void swappingModelsWhileServingFailsNoRequest() throws Exception {
    float[] rows = StandardRankingModel.sampleRows(COLUMNS, 200, 11);
    Map<String, float[]> expected = new ConcurrentHashMap<>();
    for (Variant v : List.of(Variant.FP32, Variant.INT8_STATIC)) {
      try (OnnxPredictor p = OnnxPredictor.standardRankingModel(COLUMNS, v)) {
        expected.put(p.version(), p.predict(new FeatureRows(rows, 200, W)).join());
      }
    }
    OnnxPredictor first = OnnxPredictor.standardRankingModel(COLUMNS, Variant.FP32);
    SwappablePredictor swappable = SwappablePredictor.of(first);
    List<OnnxPredictor> retired = new ArrayList<>();
    Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    AtomicInteger answered = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try (BatchingPredictor batcher = BatchingPredictor.builder(swappable).workers(2).build()) {
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        running.add(callers.submit(() -> {
          for (int i = 0; !stop.get(); i++) {
            int n = 20 + (i * 37 + seed * 11) % 180;
            FeatureRows request = new FeatureRows(Arrays.copyOf(rows, n * W), n, W);
            Prediction p = batcher.predictWithin(request, Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
            float[] want = expected.get(p.modelVersion());
            assertTrue(want != null, "unknown version " + p.modelVersion());
            for (int r = 0; r < n; r++) {
              assertEquals(want[r], p.scores()[r], 1e-5, "row " + r + " of " + p.modelVersion());
            }
            seen.computeIfAbsent(p.modelVersion(), k -> new AtomicInteger()).incrementAndGet();
            answered.incrementAndGet();
          }
          return null;
        }));
      }
      OnnxPredictor serving = first;
      for (int swap = 1; swap <= 6; swap++) {
        awaitProgress(answered, 30);
        OnnxPredictor next = OnnxPredictor.standardRankingModel(COLUMNS, swap % 2 == 1 ? Variant.INT8_STATIC : Variant.FP32);
        retired.add(serving);
        swappable.swap(next);
        serving = next;
      }
      awaitProgress(answered, 30);
      stop.set(true);
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      stop.set(true);
      callers.shutdownNow();
    }
    assertEquals(2, seen.size(), "answers came from both models: " + seen);
    for (OnnxPredictor old : retired) {
      assertTrue(old.isClosed(), old + " was closed after its last call");
    }
  }

  private static void awaitProgress(AtomicInteger answered, int atLeast) throws InterruptedException {
    int target = answered.get() + atLeast;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (answered.get() < target && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    assertTrue(answered.get() >= target, "callers made no progress");
  }
}
