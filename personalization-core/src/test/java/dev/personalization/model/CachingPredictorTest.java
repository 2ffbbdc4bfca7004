package dev.personalization.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CachingPredictorTest {

  private static final Duration LONG = Duration.ofMinutes(5);

  private static Prediction score(Predictor p, FeatureRows rows) throws Exception {
    return p.predictWithin(rows, LONG).get(30, TimeUnit.SECONDS);
  }

  @Test
  void aRepeatedRowIsAnsweredFromTheCacheAndOnlyMissesReachTheModel() throws Exception {
    FakePredictor model = new FakePredictor();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CachingPredictor cache = CachingPredictor.builder(model).meterRegistry(registry).build();
    FeatureRows first = FakePredictor.rows(10, 0);
    assertArrayEquals(FakePredictor.expected(first), score(cache, first).scores());
    assertEquals(List.of(10), new ArrayList<>(model.callRows));

    Prediction again = cache.predictWithin(first, LONG).getNow(null);
    assertArrayEquals(FakePredictor.expected(first), again.scores(), "answered without a model call");
    assertEquals(1, model.calls.get());

    // Rows 5..14: five cached, five new; only the new ones are sent, in one call.
    FeatureRows overlap = FakePredictor.rows(10, 5);
    assertArrayEquals(FakePredictor.expected(overlap), score(cache, overlap).scores());
    assertEquals(List.of(10, 5), new ArrayList<>(model.callRows));
    assertEquals(15, registry.get("personalization.model.cache.hits").functionCounter().count());
    assertEquals(15, registry.get("personalization.model.cache.misses").functionCounter().count());
    assertEquals(0.5, registry.get("personalization.model.cache.hit.ratio").gauge().value(), 1e-9);
  }

  @Test
  void aHashCollisionIsAMissNeverAnotherRowsScore() throws Exception {
    FakePredictor model = new FakePredictor();
    CachingPredictor.RowHasher everythingCollides = new CachingPredictor.RowHasher() {
      @Override
      public long row(float[] data, int from, int width, long versionHash) {
        return 42;
      }
    };
    CachingPredictor cache = CachingPredictor.builder(model).hasher(everythingCollides).build();
    FeatureRows a = new FeatureRows(new float[] {1, 2}, 1, 2);
    FeatureRows b = new FeatureRows(new float[] {3, 4}, 1, 2);
    assertEquals(FakePredictor.score(1, 2), score(cache, a).scores()[0]);
    assertEquals(FakePredictor.score(3, 4), score(cache, b).scores()[0], "same hash, other row: scored, not looked up");
    assertEquals(2, model.calls.get());
    assertEquals(FakePredictor.score(3, 4), score(cache, b).scores()[0]);
    assertEquals(2, model.calls.get(), "b replaced a in the shared slot and now hits");
  }

  @Test
  void keysAreTheExactBitsOfTheRow() throws Exception {
    FakePredictor model = new FakePredictor();
    CachingPredictor cache = CachingPredictor.builder(model).build();
    score(cache, new FeatureRows(new float[] {0f, 1f}, 1, 2));
    score(cache, new FeatureRows(new float[] {-0f, 1f}, 1, 2));
    score(cache, new FeatureRows(new float[] {Math.nextUp(0f), 1f}, 1, 2));
    assertEquals(3, model.calls.get(), "0, -0 and the next float up are three different rows");
  }

  @Test
  void aNewModelVersionStartsCold() throws Exception {
    FakePredictor v1 = new FakePredictor("v1");
    SwappablePredictor swappable = SwappablePredictor.of(v1);
    CachingPredictor cache = CachingPredictor.builder(swappable).build();
    FeatureRows rows = FakePredictor.rows(4, 0);
    score(cache, rows);
    score(cache, rows);
    assertEquals(1, v1.calls.get());
    FakePredictor v2 = new FakePredictor("v2");
    swappable.swap(v2);
    Prediction p = score(cache, rows);
    assertEquals("v2", p.modelVersion());
    assertEquals(List.of(1, 4), new ArrayList<>(v2.callRows), "a warm-up row, then the four rows: nothing from v1");
  }

  @Test
  void batchDependentModelsBypassTheCache() throws Exception {
    FakePredictor model = new FakePredictor().dependsOnBatch(true);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CachingPredictor cache = CachingPredictor.builder(model).meterRegistry(registry).build();
    FeatureRows rows = FakePredictor.rows(3, 0);
    score(cache, rows);
    score(cache, rows);
    assertEquals(2, model.calls.get());
    assertEquals(0, cache.size());
    assertEquals(6, registry.get("personalization.model.cache.bypassed").counter().count());
    assertTrue(cache.scoresDependOnBatch());
  }

  @Test
  void theCacheIsBounded() throws Exception {
    FakePredictor model = new FakePredictor();
    CachingPredictor cache = CachingPredictor.builder(model).maximumRows(100).build();
    for (int i = 0; i < 50; i++) {
      score(cache, FakePredictor.rows(100, 1000 * i));
    }
    assertTrue(cache.size() <= 128, "slots are maximumRows rounded up to a power of two, was " + cache.size());
    assertTrue(cache.size() > 64, "and they are used: " + cache.size());
  }
}
