package dev.personalization.model;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Coalesces the rows of concurrent requests into one call of the wrapped {@link Predictor}, so that
 * a model that is cheaper per row in large batches (every matrix-multiplying model) is fed large
 * batches under load while a lone request still runs at once.
 *
 * <pre>{@code
 * Predictor model = BatchingPredictor.builder(OnnxPredictor.standardRankingModel(engineColumns))
 *     .maxBatchRows(2048)
 *     .latencyTarget(Duration.ofMillis(10))
 *     .meterRegistry(registry)
 *     .build();
 * }</pre>
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li><b>No idle waiting by default.</b> Whatever is queued runs as soon as a worker is free; while
 *       the model is busy, newly arriving requests queue and the next free worker takes them all as
 *       one batch. When a worker slot is free, the caller's own thread runs the model (see
 *       {@link Builder#callerRuns}): its request alone if nothing is queued, else the head of the
 *       queue with its request behind it, as a worker would have. That saves two thread hand-offs
 *       per request at low load and a worker wake-up whenever a caller arrives first.
 *       {@link Builder#maxLinger} makes a worker wait for more rows, for those who measured a gain.
 *   <li><b>A cap on rows per model call</b>, the smaller of {@link Builder#maxBatchRows} and what the
 *       {@linkplain Builder#latencyTarget latency target} allows. The batcher learns online what a
 *       call of {@code n} rows costs (a recency-weighted fit of {@code a + b·n}) and sizes batches so
 *       that each call stays under the target, never below {@link Builder#minBatchRows}. A request
 *       larger than the cap is split into slices that free workers run in parallel.
 *   <li><b>A bounded queue</b> of {@link Builder#maxQueuedRows} rows: a request that does not fit
 *       fails at once with {@link PredictorOverloadedException}, so that the engine falls back
 *       instead of queueing without bound.
 *   <li><b>Deadlines.</b> A request submitted through {@link #predictWithin} whose budget is gone
 *       when a worker reaches it is dropped unscored with {@link PredictionTimeoutException}; it
 *       costs no model time. A request already partly scored is finished.
 *   <li><b>Isolation.</b> When a batch call fails, the batch is retried in halves, recursively, so
 *       that only the request that makes the model fail (a NaN row, say) fails, with the model's
 *       exception; its batchmates are scored.
 * </ul>
 *
 * <h2>Metrics</h2>
 * Meters tagged {@code name} ({@link Builder#name}): timers {@code personalization.batcher.queue.wait}
 * (submit to start of scoring, per request) and {@code personalization.batcher.model.time} (per
 * call); distribution summary {@code personalization.batcher.rows.per.call}; counters
 * {@code personalization.batcher.rejected}, {@code personalization.batcher.expired} and
 * {@code personalization.batcher.batch.retries}; gauges {@code personalization.batcher.queued.rows}
 * and {@code personalization.batcher.row.limit} (the current adaptive cap).
 *
 * <h2>Threads</h2>
 * Owns {@link Builder#workers} daemon threads named {@code personalization-batcher-N}. Thread-safe.
 * The wrapped predictor is called by at most {@code workers} threads at once (workers and callers
 * running inline share the same slots). {@link #close()} stops intake, lets the queued requests
 * finish, stops the workers and closes the wrapped predictor.
 */
public final class BatchingPredictor implements Predictor {

  /** Rows per model call at most, before the latency target lowers it. */
  public static final int DEFAULT_MAX_BATCH_ROWS = 2048;
  /** The adaptive cap never goes below this many rows per call. */
  public static final int DEFAULT_MIN_BATCH_ROWS = 64;
  /** Rows waiting at most before new requests are rejected. */
  public static final int DEFAULT_MAX_QUEUED_ROWS = 65_536;
  /** The model-call latency the adaptive cap aims to stay under. */
  public static final Duration DEFAULT_LATENCY_TARGET = Duration.ofMillis(10);
  /** How long a worker waits for more rows before a call: none. */
  public static final Duration DEFAULT_MAX_LINGER = Duration.ZERO;

  /** Budgets at least this long are treated as no deadline (and cannot overflow nanoTime sums). */
  private static final long NO_DEADLINE_NANOS = TimeUnit.DAYS.toNanos(365);
  private static final Duration NO_DEADLINE = Duration.ofNanos(NO_DEADLINE_NANOS);

  private final Predictor delegate;
  private final int width;
  private final int maxBatchRows;
  private final int minBatchRows;
  private final int maxQueuedRows;
  private final long latencyTargetNanos;
  private final long maxLingerNanos;
  private final boolean callerRuns;
  private final int workerCount;
  private final LongSupplier ticker;
  private final BatchLatencyModel latency = new BatchLatencyModel();
  private volatile int rowLimit;

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when rows are queued or a slot frees up. */
  private final Condition work = lock.newCondition();
  /** Signalled when the last model call ends after close. */
  private final Condition idle = lock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  /** Batch buffers of the free slots, most recently used first (warm in cache). */
  private final ArrayDeque<float[]> spareBuffers = new ArrayDeque<>();
  private int queuedRows;
  private int busy;
  private boolean closed;
  private final List<Thread> threads;

  private final Timer queueWait;
  private final Timer modelTime;
  private final DistributionSummary rowsPerCall;
  private final Counter rejected;
  private final Counter expired;
  private final Counter retries;

  private BatchingPredictor(Builder b) {
    this.delegate = b.delegate;
    this.width = delegate.columns().size();
    this.maxBatchRows = b.maxBatchRows > 0 ? b.maxBatchRows : DEFAULT_MAX_BATCH_ROWS;
    this.minBatchRows = Math.min(b.minBatchRows > 0 ? b.minBatchRows : DEFAULT_MIN_BATCH_ROWS, maxBatchRows);
    this.maxQueuedRows = b.maxQueuedRows > 0 ? b.maxQueuedRows : DEFAULT_MAX_QUEUED_ROWS;
    this.latencyTargetNanos = (b.latencyTarget != null ? b.latencyTarget : DEFAULT_LATENCY_TARGET).toNanos();
    this.maxLingerNanos = (b.maxLinger != null ? b.maxLinger : DEFAULT_MAX_LINGER).toNanos();
    this.callerRuns = b.callerRuns == null || b.callerRuns;
    this.workerCount = b.workers > 0 ? b.workers : Runtime.getRuntime().availableProcessors();
    this.ticker = b.ticker != null ? b.ticker : System::nanoTime;
    this.rowLimit = maxBatchRows;

    MeterRegistry registry = b.registry != null ? b.registry : new SimpleMeterRegistry();
    String name = b.name != null ? b.name : "default";
    queueWait = Timer.builder("personalization.batcher.queue.wait")
        .description("Time from submit until the request's first rows start scoring")
        .tag("name", name).publishPercentiles(0.5, 0.99).register(registry);
    modelTime = Timer.builder("personalization.batcher.model.time")
        .description("Duration of one call of the wrapped model")
        .tag("name", name).publishPercentiles(0.5, 0.99).register(registry);
    rowsPerCall = DistributionSummary.builder("personalization.batcher.rows.per.call")
        .description("Rows scored by one call of the wrapped model")
        .tag("name", name).register(registry);
    rejected = Counter.builder("personalization.batcher.rejected")
        .description("Requests rejected because the queue was full")
        .tag("name", name).register(registry);
    expired = Counter.builder("personalization.batcher.expired")
        .description("Requests dropped unscored because their deadline passed in the queue")
        .tag("name", name).register(registry);
    retries = Counter.builder("personalization.batcher.batch.retries")
        .description("Failed batches retried in halves to isolate the failing request")
        .tag("name", name).register(registry);
    Gauge.builder("personalization.batcher.queued.rows", this, BatchingPredictor::queuedRows)
        .description("Rows waiting for a worker").tag("name", name).register(registry);
    Gauge.builder("personalization.batcher.row.limit", this, p -> p.rowLimit)
        .description("Current cap on rows per model call").tag("name", name).register(registry);

    List<Thread> ts = new ArrayList<>(workerCount);
    for (int i = 1; i <= workerCount; i++) {
      Thread t = new Thread(this::workerLoop, "personalization-batcher-" + i);
      t.setDaemon(true);
      ts.add(t);
    }
    this.threads = List.copyOf(ts);
    threads.forEach(Thread::start);
  }

  /** A builder that wraps {@code delegate}; the batcher takes ownership and closes it. */
  public static Builder builder(Predictor delegate) {
    return new Builder(Objects.requireNonNull(delegate, "delegate"));
  }

  /** The wrapped predictor's version. */
  @Override
  public String version() {
    return delegate.version();
  }

  /** The wrapped predictor's columns. */
  @Override
  public List<String> columns() {
    return delegate.columns();
  }

  /** The wrapped predictor's answer: batching never changes which rows a score depends on. */
  @Override
  public boolean scoresDependOnBatch() {
    return delegate.scoresDependOnBatch();
  }

  /** {@link #predictWithin} without a deadline. */
  @Override
  public CompletableFuture<float[]> predict(FeatureRows rows) {
    return predictWithin(rows, NO_DEADLINE).thenApply(Prediction::scores);
  }

  /**
   * Queues the rows, or runs them on the caller's thread when the batcher is idle.
   *
   * @return a future that fails with {@link PredictorOverloadedException} when the queue is full,
   *     {@link PredictionTimeoutException} when the budget ran out before scoring began,
   *     {@link IllegalArgumentException} for an empty or mis-sized block of rows,
   *     {@link IllegalStateException} after {@link #close()}, or the model's own exception
   */
  @Override
  public CompletableFuture<Prediction> predictWithin(FeatureRows rows, Duration timeout) {
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(timeout, "timeout");
    if (rows.width() != width) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "rows have width " + rows.width() + ", the model expects " + width));
    }
    if (rows.rowCount() == 0) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("empty batch: no rows to score"));
    }
    long now = ticker.getAsLong();
    long budget = timeout.compareTo(NO_DEADLINE) >= 0 ? NO_DEADLINE_NANOS : timeout.toNanos();
    Pending p = new Pending(rows, now, budget >= NO_DEADLINE_NANOS ? Long.MAX_VALUE : now + budget, budget);
    if (budget <= 0) {
      expired.increment();
      return CompletableFuture.failedFuture(p.timeout(now));
    }
    boolean inline = false;
    List<Slice> batch = null;
    float[] buffer = null;
    List<Pending> dropped = null;
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("batching predictor is closed"));
      }
      boolean slotFree = callerRuns && busy < workerCount;
      if (slotFree && queue.isEmpty() && rows.rowCount() <= rowLimit) {
        busy++;
        inline = true;
      } else if (queuedRows + rows.rowCount() > maxQueuedRows) {
        rejected.increment();
        return CompletableFuture.failedFuture(new PredictorOverloadedException(maxQueuedRows,
            "batching queue full: " + queuedRows + " rows queued, " + rows.rowCount() + " more do not fit "
                + maxQueuedRows));
      } else {
        queue.addLast(p);
        queuedRows += rows.rowCount();
        if (slotFree && (maxLingerNanos == 0 || queuedRows >= rowLimit)) {
          // A slot is free but requests wait (a worker has not woken yet, or this request is larger
          // than the cap): run the head of the queue here rather than hand it to a worker and park.
          busy++;
          dropped = new ArrayList<>(0);
          batch = drain(dropped);
          buffer = takeBuffer();
        }
        if (!queue.isEmpty()) {
          work.signal();
        }
      }
    } finally {
      lock.unlock();
    }
    if (inline) {
      runInline(p);
    } else if (batch != null) {
      runBatch(batch, buffer, dropped);
    }
    return p.future;
  }

  /** Stops intake, lets queued requests finish, stops the workers, closes the wrapped predictor. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      work.signalAll();
    } finally {
      lock.unlock();
    }
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    lock.lock();
    try {
      long waitNanos = TimeUnit.SECONDS.toNanos(30);
      while (busy > 0 && waitNanos > 0) {
        waitNanos = idle.awaitNanos(waitNanos);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
    delegate.close();
  }

  /** The current cap on rows per model call (adaptive); for tests and the gauge. */
  int rowLimit() {
    return rowLimit;
  }

  /** The latency fit; for tests. */
  BatchLatencyModel latencyModel() {
    return latency;
  }

  private int queuedRows() {
    lock.lock();
    try {
      return queuedRows;
    } finally {
      lock.unlock();
    }
  }

  private void runInline(Pending p) {
    queueWait.record(0, TimeUnit.NANOSECONDS);
    try {
      Prediction result = callModel(p.rows, p.budgetNanos);
      p.future.complete(result);
    } catch (Throwable e) {
      p.future.completeExceptionally(e);
    } finally {
      releaseSlot(null);
    }
  }

  /**
   * Fails the expired requests, runs a drained batch and frees its slot: on a worker, or on the
   * caller's thread when {@link #predictWithin} found a slot free.
   */
  private void runBatch(List<Slice> batch, float[] buffer, List<Pending> dropped) {
    failExpired(dropped);
    try {
      if (!batch.isEmpty()) {
        buffer = ensureCapacity(buffer, batch);
        run(batch, buffer);
        finish(batch);
      }
    } finally {
      releaseSlot(buffer);
    }
  }

  /**
   * A batch buffer for a slot being taken, under the lock. There are at most {@code workers} slots,
   * so at most that many buffers ever exist, whichever threads run the batches.
   */
  private float[] takeBuffer() {
    float[] b = spareBuffers.pollFirst();
    return b != null ? b : new float[0];
  }

  private void failExpired(List<Pending> dropped) {
    for (Pending p : dropped) {
      expired.increment();
      p.future.completeExceptionally(p.timeout(ticker.getAsLong()));
    }
    dropped.clear();
  }

  /** Frees a slot and returns its batch buffer, if it had one, for the next batch. */
  private void releaseSlot(float[] buffer) {
    lock.lock();
    try {
      busy--;
      if (buffer != null) {
        spareBuffers.addFirst(buffer);
      }
      if (!queue.isEmpty()) {
        work.signal();
      }
      if (busy == 0 && closed) {
        idle.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  private void workerLoop() {
    List<Pending> dropped = new ArrayList<>();
    while (true) {
      List<Slice> batch;
      float[] buffer;
      lock.lock();
      try {
        if (!awaitWork()) {
          return;
        }
        busy++;
        batch = drain(dropped);
        buffer = takeBuffer();
        if (!queue.isEmpty()) {
          work.signal();
        }
      } finally {
        lock.unlock();
      }
      runBatch(batch, buffer, dropped);
    }
  }

  /**
   * Waits under the lock until there is work and a free slot (and the linger, if any, is over).
   *
   * @return false when closed and nothing is left to do
   */
  private boolean awaitWork() {
    while (true) {
      if (queue.isEmpty()) {
        if (closed) {
          return false;
        }
        work.awaitUninterruptibly();
        continue;
      }
      if (busy >= workerCount) {
        work.awaitUninterruptibly();
        continue;
      }
      if (maxLingerNanos > 0 && !closed && queuedRows < rowLimit) {
        long wait = queue.peekFirst().enqueuedAt + maxLingerNanos - ticker.getAsLong();
        if (wait > 0) {
          try {
            work.awaitNanos(wait);
          } catch (InterruptedException e) {
            // Workers are never interrupted on purpose; treat it as the end of the linger.
            return true;
          }
          continue;
        }
      }
      return true;
    }
  }

  /** Takes up to the row cap from the head of the queue; collects unstarted expired requests. */
  private List<Slice> drain(List<Pending> dropped) {
    int limit = rowLimit;
    long now = ticker.getAsLong();
    List<Slice> batch = new ArrayList<>();
    int rows = 0;
    while (rows < limit && !queue.isEmpty()) {
      Pending p = queue.peekFirst();
      if (p.nextRow == 0 && (p.future.isDone() || p.deadline <= now)) {
        queue.pollFirst();
        queuedRows -= p.rows.rowCount();
        if (!p.future.isDone()) {
          dropped.add(p);
        }
        continue;
      }
      if (p.nextRow == 0) {
        queueWait.record(now - p.enqueuedAt, TimeUnit.NANOSECONDS);
        p.scores = new float[p.rows.rowCount()];
      }
      int take = Math.min(p.rows.rowCount() - p.nextRow, limit - rows);
      batch.add(new Slice(p, p.nextRow, take));
      p.nextRow += take;
      p.inFlight++;
      rows += take;
      queuedRows -= take;
      if (p.nextRow == p.rows.rowCount()) {
        queue.pollFirst();
      }
    }
    return batch;
  }

  private float[] ensureCapacity(float[] buffer, List<Slice> batch) {
    int rows = 0;
    for (Slice s : batch) {
      rows += s.count;
    }
    return buffer.length >= rows * width ? buffer : new float[rows * width];
  }

  /** Scores the slices in one call; on failure retries each half, down to single slices. */
  private void run(List<Slice> batch, float[] buffer) {
    int rows = 0;
    long budget = 0;
    long now = ticker.getAsLong();
    for (Slice s : batch) {
      System.arraycopy(s.p.rows.data(), s.from * width, buffer, rows * width, s.count * width);
      rows += s.count;
      budget = Math.max(budget, s.p.deadline == Long.MAX_VALUE ? NO_DEADLINE_NANOS : s.p.deadline - now);
    }
    try {
      Prediction result = callModel(new FeatureRows(buffer, rows, width), budget);
      int at = 0;
      for (Slice s : batch) {
        System.arraycopy(result.scores(), at, s.p.scores, s.from, s.count);
        s.version = result.modelVersion();
        at += s.count;
      }
    } catch (Throwable e) {
      if (batch.size() == 1) {
        batch.get(0).error = e;
        return;
      }
      retries.increment();
      int half = batch.size() / 2;
      run(batch.subList(0, half), buffer);
      run(batch.subList(half, batch.size()), buffer);
    }
  }

  /** Calls the wrapped model once and learns from how long it took. */
  private Prediction callModel(FeatureRows rows, long budgetNanos) throws Throwable {
    long start = ticker.getAsLong();
    Prediction result;
    try {
      result = delegate.predictWithin(rows, Duration.ofNanos(Math.max(0, budgetNanos))).get();
    } catch (ExecutionException | CompletionException e) {
      throw e.getCause() != null ? e.getCause() : e;
    }
    long nanos = ticker.getAsLong() - start;
    if (result.scores().length != rows.rowCount()) {
      throw new IllegalStateException(
          "the model returned " + result.scores().length + " scores for " + rows.rowCount() + " rows");
    }
    modelTime.record(nanos, TimeUnit.NANOSECONDS);
    rowsPerCall.record(rows.rowCount());
    latency.record(rows.rowCount(), nanos);
    rowLimit = latency.rowsWithin(latencyTargetNanos, minBatchRows, maxBatchRows);
    return result;
  }

  /** Records the slices' outcomes and completes the requests whose last slice this was. */
  private void finish(List<Slice> batch) {
    List<Pending> done = new ArrayList<>(batch.size());
    lock.lock();
    try {
      for (Slice s : batch) {
        Pending p = s.p;
        p.inFlight--;
        if (s.error != null && p.failure == null) {
          p.failure = s.error;
          if (p.nextRow < p.rows.rowCount()) {
            // The rest of a failed request would be wasted model time.
            queue.remove(p);
            queuedRows -= p.rows.rowCount() - p.nextRow;
            p.nextRow = p.rows.rowCount();
          }
        }
        if (s.version != null) {
          p.version = s.version;
        }
        if (p.inFlight == 0 && p.nextRow == p.rows.rowCount()) {
          done.add(p);
        }
      }
    } finally {
      lock.unlock();
    }
    // Completed outside the lock: callers' continuations may run here.
    for (Pending p : done) {
      if (p.failure != null) {
        p.future.completeExceptionally(p.failure);
      } else {
        p.future.complete(new Prediction(p.scores, p.version));
      }
    }
  }

  /** One submitted request. Mutable fields are guarded by the batcher's lock. */
  private static final class Pending {
    final FeatureRows rows;
    final long enqueuedAt;
    final long deadline;
    final long budgetNanos;
    /** Allocated when the first slice is taken; a request run inline never needs it. */
    float[] scores;
    final CompletableFuture<Prediction> future = new CompletableFuture<>();
    int nextRow;
    int inFlight;
    Throwable failure;
    String version;

    Pending(FeatureRows rows, long enqueuedAt, long deadline, long budgetNanos) {
      this.rows = rows;
      this.enqueuedAt = enqueuedAt;
      this.deadline = deadline;
      this.budgetNanos = budgetNanos;
    }

    PredictionTimeoutException timeout(long now) {
      return new PredictionTimeoutException("request of " + rows.rowCount() + " rows dropped unscored: its budget of "
          + TimeUnit.NANOSECONDS.toMicros(budgetNanos) + " µs ran out after "
          + TimeUnit.NANOSECONDS.toMicros(Math.max(0, now - enqueuedAt)) + " µs in the queue");
    }
  }

  /** Rows {@code [from, from + count)} of one request, scored in one batch. */
  private static final class Slice {
    final Pending p;
    final int from;
    final int count;
    Throwable error;
    String version;

    Slice(Pending p, int from, int count) {
      this.p = p;
      this.from = from;
      this.count = count;
    }
  }

  /**
   * Configures a {@link BatchingPredictor}. Each option may be set once; bad values are rejected
   * with {@link IllegalArgumentException}, conflicting ones by {@link #build()}. Not thread-safe.
   */
  public static final class Builder {
    private final Predictor delegate;
    private int maxBatchRows;
    private int minBatchRows;
    private int maxQueuedRows;
    private Duration latencyTarget;
    private Duration maxLinger;
    private Boolean callerRuns;
    private int workers;
    private MeterRegistry registry;
    private String name;
    private LongSupplier ticker;

    private Builder(Predictor delegate) {
      this.delegate = delegate;
    }

    /** Rows per model call at most (default {@value BatchingPredictor#DEFAULT_MAX_BATCH_ROWS}). */
    public Builder maxBatchRows(int rows) {
      once(maxBatchRows == 0 ? null : maxBatchRows, "maxBatchRows");
      maxBatchRows = positive(rows, "maxBatchRows");
      return this;
    }

    /**
     * The floor of the adaptive cap: however slow the model, a call may take this many rows
     * (default {@value BatchingPredictor#DEFAULT_MIN_BATCH_ROWS}, or {@code maxBatchRows} if smaller).
     */
    public Builder minBatchRows(int rows) {
      once(minBatchRows == 0 ? null : minBatchRows, "minBatchRows");
      minBatchRows = positive(rows, "minBatchRows");
      return this;
    }

    /**
     * Rows that may wait at most; a request that does not fit is rejected at once with
     * {@link PredictorOverloadedException} (default {@value BatchingPredictor#DEFAULT_MAX_QUEUED_ROWS}).
     */
    public Builder maxQueuedRows(int rows) {
      once(maxQueuedRows == 0 ? null : maxQueuedRows, "maxQueuedRows");
      maxQueuedRows = positive(rows, "maxQueuedRows");
      return this;
    }

    /**
     * The model-call latency to stay under: the batcher learns the model's cost per batch size and
     * caps rows per call so that a call is predicted to take at most this long (default 10 ms).
     */
    public Builder latencyTarget(Duration target) {
      once(latencyTarget, "latencyTarget");
      Objects.requireNonNull(target, "latencyTarget");
      if (target.isNegative() || target.isZero()) {
        throw new IllegalArgumentException("latencyTarget must be positive, was " + target);
      }
      latencyTarget = target;
      return this;
    }

    /**
     * How long a worker may wait for more rows before calling the model while fewer than the cap
     * are queued (default zero: never wait). Only worth setting where a benchmark shows a gain.
     */
    public Builder maxLinger(Duration linger) {
      once(maxLinger, "maxLinger");
      Objects.requireNonNull(linger, "maxLinger");
      if (linger.isNegative()) {
        throw new IllegalArgumentException("maxLinger must be >= 0, was " + linger);
      }
      maxLinger = linger;
      return this;
    }

    /**
     * Whether a caller that finds a slot free runs the model on its own thread instead of handing the
     * work to a worker (default true): its request alone when nothing is queued, else a batch from
     * the head of the queue (with its own rows if they fit), taken as a worker would take it; with a
     * {@link #maxLinger} the caller takes queued rows only once they reach the cap. Turn it off
     * when callers' threads must never run the model.
     */
    public Builder callerRuns(boolean callerRuns) {
      once(this.callerRuns, "callerRuns");
      this.callerRuns = callerRuns;
      return this;
    }

    /**
     * Worker threads, which is also the number of model calls that may run at once (default: the
     * number of available processors). With a model that uses several threads per call, fewer.
     */
    public Builder workers(int workers) {
      once(this.workers == 0 ? null : this.workers, "workers");
      this.workers = positive(workers, "workers");
      return this;
    }

    /** Where the batcher registers its meters (default: a private {@code SimpleMeterRegistry}). */
    public Builder meterRegistry(MeterRegistry registry) {
      once(this.registry, "meterRegistry");
      this.registry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /** The {@code name} tag of the batcher's meters (default {@code default}). */
    public Builder name(String name) {
      once(this.name, "name");
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** The nanosecond clock for deadlines and latency measurement; tests pass a controllable one. */
    Builder ticker(LongSupplier ticker) {
      once(this.ticker, "ticker");
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Builds the batcher and starts its workers.
     *
     * @throws IllegalStateException when {@code minBatchRows} exceeds {@code maxBatchRows}, or
     *     {@code maxQueuedRows} is below {@code maxBatchRows}
     */
    public BatchingPredictor build() {
      int max = maxBatchRows > 0 ? maxBatchRows : DEFAULT_MAX_BATCH_ROWS;
      if (minBatchRows > 0 && minBatchRows > max) {
        throw new IllegalStateException("minBatchRows " + minBatchRows + " exceeds maxBatchRows " + max);
      }
      int queued = maxQueuedRows > 0 ? maxQueuedRows : DEFAULT_MAX_QUEUED_ROWS;
      if (queued < max) {
        throw new IllegalStateException("maxQueuedRows " + queued + " is below maxBatchRows " + max);
      }
      return new BatchingPredictor(this);
    }

    private static void once(Object current, String option) {
      if (current != null) {
        throw new IllegalStateException(option + " is already set");
      }
    }

    private static int positive(int value, String option) {
      if (value < 1) {
        throw new IllegalArgumentException(option + " must be >= 1, was " + value);
      }
      return value;
    }
  }
}
