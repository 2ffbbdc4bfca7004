package dev.personalization.model;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deterministic stand-in model over columns {@code a, b}: the score of a row is
 * {@code 10·a + b}. It counts its calls and their rows, can hold calls at a gate until the test
 * opens it, fails any batch holding the {@link #POISON} value, and can advance a fake clock by a
 * linear cost per call so that latency learning is tested without real time.
 */
class FakePredictor implements Predictor {

  static final float POISON = -999f;
  static final List<String> COLUMNS = List.of("a", "b");

  final ConcurrentLinkedQueue<Integer> callRows = new ConcurrentLinkedQueue<>();
  final AtomicInteger calls = new AtomicInteger();
  final java.util.Set<String> threadNames = java.util.concurrent.ConcurrentHashMap.newKeySet();
  final AtomicInteger inCall = new AtomicInteger();
  final AtomicInteger maxInCall = new AtomicInteger();
  final AtomicBoolean closed = new AtomicBoolean();
  final AtomicInteger callsAfterClose = new AtomicInteger();
  private final String version;
  private volatile Semaphore gate;
  private volatile CountDownLatch entered = new CountDownLatch(0);
  private volatile AtomicLong clock;
  private volatile long fixedNanos;
  private volatile long perRowNanos;
  private volatile boolean dependsOnBatch;

  FakePredictor() {
    this("fake-v1");
  }

  FakePredictor(String version) {
    this.version = version;
  }

  static float score(float a, float b) {
    return 10 * a + b;
  }

  /** Holds every call until {@link #open} releases it. */
  FakePredictor closedGate() {
    gate = new Semaphore(0);
    return this;
  }

  /** Lets {@code n} held calls through. */
  void open(int n) {
    gate.release(n);
  }

  /** Lets every call through from now on. */
  void openAll() {
    gate.release(1_000_000);
  }

  /** A latch that counts down as calls enter the model. */
  CountDownLatch expectCalls(int n) {
    CountDownLatch l = new CountDownLatch(n);
    entered = l;
    return l;
  }

  /** Each call advances {@code clock} by {@code fixed + perRow × rows} nanoseconds. */
  FakePredictor cost(AtomicLong clock, long fixed, long perRow) {
    this.clock = clock;
    this.fixedNanos = fixed;
    this.perRowNanos = perRow;
    return this;
  }

  FakePredictor dependsOnBatch(boolean v) {
    dependsOnBatch = v;
    return this;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public List<String> columns() {
    return COLUMNS;
  }

  @Override
  public boolean scoresDependOnBatch() {
    return dependsOnBatch;
  }

  @Override
  public CompletableFuture<float[]> predict(FeatureRows rows) {
    if (closed.get()) {
      callsAfterClose.incrementAndGet();
      return CompletableFuture.failedFuture(new IllegalStateException(version + " is closed"));
    }
    int now = inCall.incrementAndGet();
    maxInCall.accumulateAndGet(now, Math::max);
    try {
      calls.incrementAndGet();
      threadNames.add(Thread.currentThread().getName());
      callRows.add(rows.rowCount());
      entered.countDown();
      Semaphore g = gate;
      if (g != null) {
        try {
          if (!g.tryAcquire(30, TimeUnit.SECONDS)) {
            return CompletableFuture.failedFuture(new IllegalStateException("gate never opened"));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return CompletableFuture.failedFuture(e);
        }
      }
      AtomicLong c = clock;
      if (c != null) {
        c.addAndGet(fixedNanos + perRowNanos * rows.rowCount());
      }
      float[] out = new float[rows.rowCount()];
      for (int r = 0; r < out.length; r++) {
        float a = rows.get(r, 0);
        float b = rows.get(r, 1);
        if (a == POISON || b == POISON) {
          return CompletableFuture.failedFuture(new InvalidRowException(r, "a", "poison"));
        }
        out[r] = score(a, b);
      }
      return CompletableFuture.completedFuture(out);
    } finally {
      inCall.decrementAndGet();
    }
  }

  @Override
  public void close() {
    closed.set(true);
  }

  /** {@code n} rows where row {@code i} is {@code (base + i, 0.5)}. */
  static FeatureRows rows(int n, float base) {
    float[] d = new float[n * 2];
    for (int i = 0; i < n; i++) {
      d[2 * i] = base + i;
      d[2 * i + 1] = 0.5f;
    }
    return new FeatureRows(d, n, 2);
  }

  static float[] expected(FeatureRows rows) {
    float[] out = new float[rows.rowCount()];
    for (int r = 0; r < out.length; r++) {
      out[r] = score(rows.get(r, 0), rows.get(r, 1));
    }
    return out;
  }
}
