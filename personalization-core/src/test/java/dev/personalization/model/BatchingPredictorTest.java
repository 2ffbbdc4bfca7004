package dev.personalization.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The batcher against a deterministic fake model: calls are held at a gate so that the test, not
 * the scheduler, decides what is queued when a worker comes free; time is a fake clock. No
 * assertion depends on how fast anything runs.
 */
class BatchingPredictorTest {

  private static final Duration LONG = Duration.ofMinutes(5);

  private static Prediction get(CompletableFuture<Prediction> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  private static Throwable failure(CompletableFuture<?> f) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void requestsQueuedWhileTheModelIsBusyShareOneCall() throws Exception {
    FakePredictor model = new FakePredictor().closedGate();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (BatchingPredictor batcher = BatchingPredictor.builder(model).workers(1).callerRuns(false)
        .meterRegistry(registry).build()) {
      var entered = model.expectCalls(1);
      CompletableFuture<Prediction> first = batcher.predictWithin(FakePredictor.rows(3, 0), LONG);
      assertTrue(entered.await(30, TimeUnit.SECONDS));
      List<FeatureRows> rows = new ArrayList<>();
      List<CompletableFuture<Prediction>> queued = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        FeatureRows r = FakePredictor.rows(4 + i, 100 * (i + 1));
        rows.add(r);
        queued.add(batcher.predictWithin(r, LONG));
      }
      model.openAll();
      assertArrayEquals(FakePredictor.expected(FakePredictor.rows(3, 0)), get(first).scores());
      for (int i = 0; i < 5; i++) {
        Prediction p = get(queued.get(i));
        assertArrayEquals(FakePredictor.expected(rows.get(i)), p.scores(), "request " + i);
        assertEquals("fake-v1", p.modelVersion());
      }
      assertEquals(2, model.calls.get(), "one call for the first request, one for the five queued behind it");
      assertEquals(List.of(3, 4 + 5 + 6 + 7 + 8), new ArrayList<>(model.callRows));
      assertEquals(Set.of("personalization-batcher-1"), model.threadNames);
      assertEquals(2, registry.get("personalization.batcher.rows.per.call").summary().count());
      assertEquals(33, registry.get("personalization.batcher.rows.per.call").summary().totalAmount());
      assertEquals(6, registry.get("personalization.batcher.queue.wait").timer().count());
      assertEquals(2, registry.get("personalization.batcher.model.time").timer().count());
    }
  }

  @Test
  void anIdleBatcherRunsTheRequestOnTheCallersThread() throws Exception {
    FakePredictor model = new FakePredictor();
    try (BatchingPredictor batcher = BatchingPredictor.builder(model).workers(1).build()) {
      CompletableFuture<Prediction> f = batcher.predictWithin(FakePredictor.rows(5, 1), LONG);
      assertTrue(f.isDone(), "no hand-off to a worker when nothing is queued");
      assertArrayEquals(FakePredictor.expected(FakePredictor.rows(5, 1)), get(f).scores());
      assertEquals(Set.of(Thread.currentThread().getName()), model.threadNames);
    }
  }

  @Test
  void aCallerThatFindsASlotFreeRunsTheQueuedRequestsWithItsOwnOnItsThread() throws Exception {
    // The hour's linger keeps the woken worker from taking the queued request, so the slot is
    // free with a request waiting when the last caller arrives; its rows fill the cap.
    FakePredictor model = new FakePredictor().closedGate();
    try (BatchingPredictor batcher = BatchingPredictor.builder(model).workers(1)
        .maxBatchRows(10).minBatchRows(10).maxLinger(Duration.ofHours(1)).ticker(() -> 0L).build()) {
      var entered = model.expectCalls(1);
      List<CompletableFuture<Prediction>> first = new ArrayList<>();
      Thread holder = new Thread(() -> first.add(batcher.predictWithin(FakePredictor.rows(3, 0), LONG)), "holder");
      holder.start();
      assertTrue(entered.await(30, TimeUnit.SECONDS), "the first request runs inline and holds the only slot");
      FeatureRows queuedRows = FakePredictor.rows(4, 100);
      CompletableFuture<Prediction> queued = batcher.predictWithin(queuedRows, LONG);
      assertEquals(List.of(3), new ArrayList<>(model.callRows), "no slot free: queued");
      model.openAll();
      holder.join(30_000);
      get(first.get(0));

      FeatureRows lastRows = FakePredictor.rows(6, 200);
      CompletableFuture<Prediction> last = batcher.predictWithin(lastRows, LONG);
      assertTrue(last.isDone() && queued.isDone(), "the caller ran the batch before returning");
      assertArrayEquals(FakePredictor.expected(queuedRows), get(queued).scores());
      assertArrayEquals(FakePredictor.expected(lastRows), get(last).scores());
      assertEquals(List.of(3, 4 + 6), new ArrayList<>(model.callRows), "one call for the queued and the new request");
      assertEquals(Set.of("holder", Thread.currentThread().getName()), model.threadNames);
    }
  }

  @Test
  void aCallerWhoseRequestExceedsTheCapRunsTheFirstSliceItselfAndWorkersTheRest() throws Exception {
    FakePredictor model = new FakePredictor();
    try (BatchingPredictor batcher = BatchingPredictor.builder(model).workers(2)
        .maxBatchRows(10).minBatchRows(10).build()) {
      FeatureRows big = FakePredictor.rows(35, 0);
      assertArrayEquals(FakePredictor.expected(big), get(batcher.predictWithin(big, LONG)).scores());
      List<Integer> sizes = new ArrayList<>(model.callRows);
      sizes.sort(null);
      assertEquals(List.of(5, 10, 10, 10), sizes);
      assertTrue(model.threadNames.contains(Thread.currentThread().getName()), "the caller took a slice: " + model.threadNames);
      assertTrue(model.threadNames.size() >= 2, "a worker took the slices the caller left: " + model.threadNames);
    }
  }

  @Test
  void aRequestLargerThanTheCapIsSplitAndItsSlicesRunInParallel() throws Exception {
    FakePredictor model = new FakePredictor().closedGate();
    try (BatchingPredictor batcher = BatchingPredictor.builder(model).workers(2).callerRuns(false)
        .maxBatchRows(10).minBatchRows(10).build()) {
      var twoInside = model.expectCalls(2);
      FeatureRows big = FakePredictor.rows(35, 0);
      CompletableFuture<Prediction> f = batcher.predictWithin(big, LONG);
      assertTrue(twoInside.await(30, TimeUnit.SECONDS), "both workers took a slice");
      assertEquals(2, model.maxInCall.get());
      model.openAll();
      assertArrayEquals(FakePredictor.expected(big), get(f).scores());
      List<Integer> sizes = new ArrayList<>(model.callRows);
      sizes.sort(null);
      assertEquals(List.of(5, 10, 10, 10), sizes);
    }
  }

  @Test
  void aFullQueueRejectsAtOnce() throws Exception {
    FakePredictor model = new FakePredictor().closedGate();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (BatchingPredictor batcher = BatchingPredictor.builder(model).workers(1).callerRuns(false)
        .maxBatchRows(10).maxQueuedRows(20).meterRegistry(registry).build()) {
      var entered = model.expectCalls(1);
      CompletableFuture<Prediction> running = batcher.predictWithin(FakePredictor.rows(10, 0), LONG);
      assertTrue(entered.await(30, TimeUnit.SECONDS));
      CompletableFuture<Prediction> a = batcher.predictWithin(FakePredictor.rows(10, 0), LONG);
      CompletableFuture<Prediction> b = batcher.predictWithin(FakePredictor.rows(10, 0), LONG);
      CompletableFuture<Prediction> c = batcher.predictWithin(FakePredictor.rows(1, 0), LONG);
      assertTrue(c.isCompletedExceptionally(), "rejected without waiting");
      PredictorOverloadedException e = assertInstanceOf(PredictorOverloadedException.class, failure(c));
      assertEquals(20, e.maxQueuedRows());
      assertEquals(1, registry.get("personalization.batcher.rejected").counter().count());
      model.openAll();
      get(running);
      get(a);
      get(b);
    }
  }

  @Test
  void anExpiredRequestIsDroppedBeforeItCostsModelTime() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    FakePredictor model = new FakePredictor().closedGate();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (BatchingPredictor batcher = BatchingPredictor.builder(model).workers(1).callerRuns(false)
        .ticker(clock::get).meterRegistry(registry).build()) {
      var entered = model.expectCalls(1);
      CompletableFuture<Prediction> running = batcher.predictWithin(FakePredictor.rows(2, 0), LONG);
      assertTrue(entered.await(30, TimeUnit.SECONDS));
      CompletableFuture<Prediction> hurried = batcher.predictWithin(FakePredictor.rows(7, 0), Duration.ofMillis(1));
      CompletableFuture<Prediction> patient = batcher.predictWithin(FakePredictor.rows(3, 0), Duration.ofHours(1));
      clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(2));
      model.openAll();
      get(running);
      assertArrayEquals(FakePredictor.expected(FakePredictor.rows(3, 0)), get(patient).scores());
      assertInstanceOf(PredictionTimeoutException.class, failure(hurried));
      assertEquals(List.of(2, 3), new ArrayList<>(model.callRows), "the expired 7 rows never reached the model");
      assertEquals(1, registry.get("personalization.batcher.expired").counter().count());
    }
  }

  @Test
  void aBudgetAlreadySpentFailsWithoutQueueing() throws Exception {
    FakePredictor model = new FakePredictor();
    try (BatchingPredictor batcher = BatchingPredictor.builder(model).build()) {
      assertInstanceOf(PredictionTimeoutException.class,
          failure(batcher.predictWithin(FakePredictor.rows(2, 0), Duration.ZERO)));
      assertEquals(0, model.calls.get());
    }
  }

  @Test
  void aFailingRequestFailsAloneAndItsBatchmatesAreScored() throws Exception {
    FakePredictor model = new FakePredictor().closedGate();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (BatchingPredictor batcher = BatchingPredictor.builder(model).workers(1).callerRuns(false)
        .meterRegistry(registry).build()) {
      var entered = model.expectCalls(1);
      CompletableFuture<Prediction> running = batcher.predictWithin(FakePredictor.rows(1, 0), LONG);
      assertTrue(entered.await(30, TimeUnit.SECONDS));
      List<FeatureRows> rows = new ArrayList<>();
      List<CompletableFuture<Prediction>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        FeatureRows r = FakePredictor.rows(3, 10 * i);
        if (i == 5) {
          r.data()[2] = FakePredictor.POISON;
        }
        rows.add(r);
        futures.add(batcher.predictWithin(r, LONG));
      }
      model.openAll();
      get(running);
      for (int i = 0; i < 8; i++) {
        if (i == 5) {
          assertInstanceOf(InvalidRowException.class, failure(futures.get(i)));
        } else {
          assertArrayEquals(FakePredictor.expected(rows.get(i)), get(futures.get(i)).scores(), "request " + i);
        }
      }
      // The 8-request batch failed, then halves of 4, 2 and 1 around the poisoned request.
      assertEquals(3, registry.get("personalization.batcher.batch.retries").counter().count());
    }
  }

  @Test
  void itLearnsTheModelsCostAndKeepsCallsUnderTheLatencyTarget() throws Exception {
    AtomicLong clock = new AtomicLong();
    // 1 ms per call plus 10 µs per row: a 5 ms target allows (5 - 1) / 0.01 = 400 rows.
    FakePredictor model = new FakePredictor().cost(clock, 1_000_000, 10_000);
    try (BatchingPredictor batcher = BatchingPredictor.builder(model).workers(1).ticker(clock::get)
        .latencyTarget(Duration.ofMillis(5)).maxBatchRows(2048).minBatchRows(16).build()) {
      assertEquals(2048, batcher.rowLimit(), "nothing measured yet");
      for (int n : new int[] {50, 120, 200, 80, 300, 150}) {
        get(batcher.predictWithin(FakePredictor.rows(n, 0), LONG));
      }
      double[] fit = batcher.latencyModel().fit();
      assertEquals(1_000_000, fit[0], 1);
      assertEquals(10_000, fit[1], 0.01);
      assertEquals(400, batcher.rowLimit());
      model.callRows.clear();
      FeatureRows big = FakePredictor.rows(1000, 0);
      assertArrayEquals(FakePredictor.expected(big), get(batcher.predictWithin(big, LONG)).scores());
      assertEquals(List.of(400, 400, 200), new ArrayList<>(model.callRows));
    }
  }

  @Test
  void aLingeringWorkerCallsAsSoonAsTheCapIsQueued() throws Exception {
    FakePredictor model = new FakePredictor();
    BatchingPredictor batcher = BatchingPredictor.builder(model).workers(1).callerRuns(false)
        .maxBatchRows(10).minBatchRows(10).maxLinger(Duration.ofHours(1)).build();
    {
      List<CompletableFuture<Prediction>> futures = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        futures.add(batcher.predictWithin(FakePredictor.rows(5, i), LONG));
      }
      for (CompletableFuture<Prediction> f : futures) {
        get(f);
      }
      assertEquals(List.of(10, 10), new ArrayList<>(model.callRows), "an hour's linger is cut short by a full batch");
      CompletableFuture<Prediction> partial = batcher.predictWithin(FakePredictor.rows(3, 0), LONG);
      batcher.close();
      assertTrue(partial.isDone(), "close flushes a lingering partial batch");
      get(partial);
    }
  }

  @Test
  void badInputAndUseAfterCloseAreClearErrors() throws Exception {
    FakePredictor model = new FakePredictor();
    BatchingPredictor batcher = BatchingPredictor.builder(model).build();
    Throwable empty = failure(batcher.predictWithin(new FeatureRows(new float[0], 0, 2), LONG));
    assertInstanceOf(IllegalArgumentException.class, empty);
    assertTrue(empty.getMessage().contains("empty batch"), empty.getMessage());
    Throwable width = failure(batcher.predictWithin(new FeatureRows(new float[6], 2, 3), LONG));
    assertTrue(width.getMessage().contains("width 3"), width.getMessage());
    batcher.close();
    assertTrue(model.closed.get(), "closing the batcher closes its model");
    assertInstanceOf(IllegalStateException.class, failure(batcher.predict(FakePredictor.rows(1, 0))));
    batcher.close();
  }

  @Test
  void builderRejectsBadValuesAndConflicts() {
    FakePredictor model = new FakePredictor();
    assertThrows(IllegalArgumentException.class, () -> BatchingPredictor.builder(model).maxBatchRows(0));
    assertThrows(IllegalArgumentException.class, () -> BatchingPredictor.builder(model).maxLinger(Duration.ofMillis(-1)));
    assertThrows(IllegalStateException.class, () -> BatchingPredictor.builder(model).workers(1).workers(2));
    assertThrows(IllegalStateException.class,
        () -> BatchingPredictor.builder(model).maxBatchRows(10).minBatchRows(11).build());
    assertThrows(IllegalStateException.class,
        () -> BatchingPredictor.builder(model).maxBatchRows(100).maxQueuedRows(50).build());
  }
}
