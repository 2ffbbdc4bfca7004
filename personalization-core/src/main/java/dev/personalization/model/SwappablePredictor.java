package dev.personalization.model;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Predictor} whose model can be replaced while it serves. {@link #swap} warms the new model
 * first (scores a probe row; a model that fails is refused and the old one keeps serving), then
 * makes it current: calls that started on the old model finish on it, and the old model is closed
 * when the last of them completes. No call fails because of a swap.
 *
 * <pre>{@code
 * SwappablePredictor model = SwappablePredictor.of(OnnxPredictor.builder().modelPath(v1).columns(cols).build());
 * PersonalizationEngine engine = PersonalizationEngine.builder().predictor(model)...build();
 * // later, from any thread:
 * model.swap(OnnxPredictor.builder().modelPath(v2).columns(cols).build());
 * }</pre>
 *
 * <p>{@link #predictWithin} reports the version of the model that actually scored the rows, so an
 * answer is never labelled with a version that did not produce it. Thread-safe; swaps are
 * serialised.
 */
public final class SwappablePredictor implements Predictor {

  private final List<String> columns;
  private volatile Lease current;
  private final Object swapLock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();

  private SwappablePredictor(Predictor initial) {
    this.columns = List.copyOf(initial.columns());
    this.current = new Lease(initial);
  }

  /** Serves {@code initial} until the first {@link #swap}; takes ownership of it. */
  public static SwappablePredictor of(Predictor initial) {
    return new SwappablePredictor(Objects.requireNonNull(initial, "initial"));
  }

  /**
   * Replaces the model: checks that {@code next} has the same columns, warms it by scoring one row
   * of zeros, makes it current, and retires the old model, which is closed once the calls running
   * on it have completed. Takes ownership of {@code next}; if the swap is refused, {@code next} is
   * closed and the old model keeps serving.
   *
   * @return the version of the model that was replaced
   * @throws ModelLoadException when {@code next} has other columns or fails on its warm-up row
   * @throws IllegalStateException after {@link #close()}
   */
  public String swap(Predictor next) {
    Objects.requireNonNull(next, "next");
    if (!next.columns().equals(columns)) {
      next.close();
      throw new ModelLoadException(next.version(),
          "its columns " + next.columns() + " differ from the serving model's " + columns);
    }
    warm(next);
    synchronized (swapLock) {
      if (closed.get()) {
        next.close();
        throw new IllegalStateException("swappable predictor is closed");
      }
      Lease old = current;
      current = new Lease(next);
      // Drop the "current" reference; the last in-flight call on the old model closes it.
      old.release();
      return old.predictor.version();
    }
  }

  /** The model serving new calls now. */
  public Predictor current() {
    return current.predictor;
  }

  @Override
  public String version() {
    return current.predictor.version();
  }

  @Override
  public List<String> columns() {
    return columns;
  }

  @Override
  public boolean scoresDependOnBatch() {
    return current.predictor.scoresDependOnBatch();
  }

  @Override
  public CompletableFuture<float[]> predict(FeatureRows rows) {
    return predictWithin(rows, Duration.ofDays(365)).thenApply(Prediction::scores);
  }

  /** Scores on the current model and reports its version; the model stays open until this completes. */
  @Override
  public CompletableFuture<Prediction> predictWithin(FeatureRows rows, Duration timeout) {
    Lease lease = acquire();
    if (lease == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("swappable predictor is closed"));
    }
    CompletableFuture<Prediction> f;
    try {
      f = lease.predictor.predictWithin(rows, timeout);
    } catch (RuntimeException e) {
      lease.release();
      return CompletableFuture.failedFuture(e);
    }
    return f.whenComplete((p, e) -> lease.release());
  }

  /** Closes the current model once its in-flight calls complete; later calls fail. Idempotent. */
  @Override
  public void close() {
    synchronized (swapLock) {
      if (closed.compareAndSet(false, true)) {
        current.release();
      }
    }
  }

  /** The current lease with one more user, or null once closed. */
  private Lease acquire() {
    while (true) {
      Lease l = current;
      int n = l.users.get();
      if (n > 0) {
        if (l.users.compareAndSet(n, n + 1)) {
          return l;
        }
      } else if (l == current) {
        // Only the closed predictor's last lease can be current with no users left.
        return null;
      }
      // Otherwise that lease was retired and emptied between the read and the increment: re-read.
    }
  }

  private void warm(Predictor next) {
    int width = columns.size();
    try {
      float[] scores = next.predict(new FeatureRows(new float[width], 1, width)).get(30, TimeUnit.SECONDS);
      if (scores.length != 1) {
        throw new IllegalStateException("returned " + scores.length + " scores for 1 row");
      }
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException || e instanceof CompletionException
          ? e.getCause() : e;
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      next.close();
      throw new ModelLoadException(next.version(), "failed its warm-up row, not swapped in: " + cause, cause);
    }
  }

  /** A model and the number of its users: one for being current, one per call in flight. */
  private static final class Lease {
    final Predictor predictor;
    final AtomicInteger users = new AtomicInteger(1);

    Lease(Predictor predictor) {
      this.predictor = predictor;
    }

    void release() {
      if (users.decrementAndGet() == 0) {
        predictor.close();
      }
    }
  }
}
