package dev.personalization.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SwappablePredictorTest {

  private static final Duration LONG = Duration.ofMinutes(5);

  @Test
  void callsInFlightFinishOnTheOldModelWhichClosesAfterTheLast() throws Exception {
    FakePredictor v1 = new FakePredictor("v1").closedGate();
    SwappablePredictor model = SwappablePredictor.of(v1);
    var entered = v1.expectCalls(1);
    // A pool thread is held inside v1 by the gate while the swap happens.
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Prediction> inFlight = pool.submit(() -> model.predictWithin(FakePredictor.rows(2, 0), LONG).get());
      assertTrue(entered.await(30, TimeUnit.SECONDS));
      FakePredictor v2 = new FakePredictor("v2");
      assertEquals("v1", model.swap(v2));
      assertEquals("v2", model.version());
      assertFalse(v1.closed.get(), "a call is still running on v1");
      Prediction fresh = model.predictWithin(FakePredictor.rows(3, 0), LONG).get();
      assertEquals("v2", fresh.modelVersion());
      v1.openAll();
      Prediction old = inFlight.get(30, TimeUnit.SECONDS);
      assertEquals("v1", old.modelVersion(), "reported by the model that scored it");
      assertArrayEquals(FakePredictor.expected(FakePredictor.rows(2, 0)), old.scores());
      assertTrue(v1.closed.get(), "closed when its last call finished");
      assertEquals(0, v1.callsAfterClose.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aModelThatFailsItsWarmUpIsRefusedAndTheOldKeepsServing() throws Exception {
    FakePredictor v1 = new FakePredictor("v1");
    SwappablePredictor model = SwappablePredictor.of(v1);
    Predictor broken = new FakePredictor("broken") {
      @Override
      public CompletableFuture<float[]> predict(FeatureRows rows) {
        return CompletableFuture.failedFuture(new IllegalStateException("no"));
      }
    };
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> model.swap(broken));
    assertTrue(e.getMessage().contains("warm-up"), e.getMessage());
    assertEquals("v1", model.version());
    assertFalse(v1.closed.get());

    Predictor otherColumns = Predictor.linear(List.of("x"), new float[] {1}, 0);
    assertThrows(ModelLoadException.class, () -> model.swap(otherColumns));
    assertEquals("v1", model.predictWithin(FakePredictor.rows(1, 0), LONG).get().modelVersion());
  }

  @Test
  void noCallFailsWhileModelsAreSwappedUnderLoad() throws Exception {
    SwappablePredictor model = SwappablePredictor.of(new FakePredictor("m0"));
    List<FakePredictor> retired = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> callers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        callers.add(pool.submit(() -> {
          int done = 0;
          while (!stop.get() || done < 100) {
            FeatureRows rows = FakePredictor.rows(1 + (done + seed) % 7, done);
            Prediction p = model.predictWithin(rows, LONG).get(30, TimeUnit.SECONDS);
            assertArrayEquals(FakePredictor.expected(rows), p.scores());
            assertTrue(p.modelVersion().startsWith("m"));
            done++;
          }
          return done;
        }));
      }
      for (int i = 1; i <= 50; i++) {
        retired.add((FakePredictor) model.current());
        model.swap(new FakePredictor("m" + i));
      }
      stop.set(true);
      for (Future<Integer> f : callers) {
        assertTrue(f.get(60, TimeUnit.SECONDS) >= 100);
      }
      for (FakePredictor old : retired) {
        assertTrue(old.closed.get(), old.version() + " closed");
        assertEquals(0, old.callsAfterClose.get(), old.version() + " never called after close");
      }
      model.close();
      assertTrue(((FakePredictor) model.current()).closed.get());
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> model.predictWithin(FakePredictor.rows(1, 0), LONG).get());
      assertInstanceOf(IllegalStateException.class, e.getCause());
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }
}
