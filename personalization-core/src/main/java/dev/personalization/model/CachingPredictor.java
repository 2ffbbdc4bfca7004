package dev.personalization.model;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A model-output cache in front of a {@link Predictor}: a row whose exact feature bytes were scored
 * by the same model version before gets the remembered score without a model call; only the rows
 * that miss go to the model, in one call.
 *
 * <pre>{@code
 * Predictor model = CachingPredictor.builder(batchingPredictor).maximumRows(100_000).build();
 * }</pre>
 *
 * <p><b>Keys.</b> A row is found by a stable 64-bit hash of its floats' bit patterns
 * ({@link Float#floatToIntBits}, so {@code 0.0} and {@code -0.0} differ and every NaN is one value)
 * mixed with a hash of the model version, and confirmed by comparing the stored copy of the row and
 * the version exactly: a hash collision is a miss, never another row's score. A new model version
 * therefore starts cold, and its predecessor's entries are overwritten as they are met.
 *
 * <p><b>Bounds.</b> A fixed table of {@code maximumRows} slots (rounded up to a power of two);
 * each row has one slot, picked by its hash, and a new entry replaces whatever occupied it. Memory
 * is bounded by {@code slots × (width × 4 + ~64)} bytes; lookups and inserts take no lock.
 *
 * <p><b>Batch-dependent models.</b> When the wrapped predictor reports
 * {@link Predictor#scoresDependOnBatch()} (a dynamically quantized model) its scores are not a
 * function of the row alone; the cache is then bypassed, checked on every call so that a hot swap to
 * or from such a model takes effect at once.
 *
 * <p><b>Metrics</b> (tagged {@code name}): counters {@code personalization.model.cache.hits},
 * {@code ….misses} and {@code ….bypassed} (rows), and the gauge {@code ….hit.ratio} (hits over
 * looked-up rows since start). Thread-safe; {@link #close()} closes the wrapped predictor.
 */
public final class CachingPredictor implements Predictor {

  /** Rows remembered at most. */
  public static final int DEFAULT_MAXIMUM_ROWS = 65_536;

  private final Predictor delegate;
  private final int width;
  private final AtomicReferenceArray<Entry> table;
  private final int mask;
  private final RowHasher hasher;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final Counter bypassed;

  private CachingPredictor(Builder b, RowHasher hasher) {
    this.delegate = b.delegate;
    this.width = delegate.columns().size();
    int slots = Integer.highestOneBit(Math.max(1, b.maximumRows > 0 ? b.maximumRows : DEFAULT_MAXIMUM_ROWS) - 1) << 1;
    this.table = new AtomicReferenceArray<>(Math.max(1, slots));
    this.mask = table.length() - 1;
    this.hasher = hasher;
    MeterRegistry registry = b.registry != null ? b.registry : new SimpleMeterRegistry();
    String name = b.name != null ? b.name : "default";
    FunctionCounter.builder("personalization.model.cache.hits", hits, LongAdder::doubleValue)
        .description("Rows whose score came from the model-output cache").tag("name", name).register(registry);
    FunctionCounter.builder("personalization.model.cache.misses", misses, LongAdder::doubleValue)
        .description("Rows looked up in the model-output cache and sent to the model").tag("name", name)
        .register(registry);
    bypassed = Counter.builder("personalization.model.cache.bypassed")
        .description("Rows sent straight to a model whose scores depend on the batch").tag("name", name)
        .register(registry);
    Gauge.builder("personalization.model.cache.hit.ratio", this, CachingPredictor::hitRatio)
        .description("Cache hits over looked-up rows since start").tag("name", name).register(registry);
  }

  /** A builder wrapping {@code delegate}; the cache takes ownership and closes it. */
  public static Builder builder(Predictor delegate) {
    return new Builder(Objects.requireNonNull(delegate, "delegate"));
  }

  @Override
  public String version() {
    return delegate.version();
  }

  @Override
  public List<String> columns() {
    return delegate.columns();
  }

  @Override
  public boolean scoresDependOnBatch() {
    return delegate.scoresDependOnBatch();
  }

  @Override
  public CompletableFuture<float[]> predict(FeatureRows rows) {
    return predictWithin(rows, Duration.ofDays(365)).thenApply(Prediction::scores);
  }

  /**
   * Answers cached rows from the cache and sends the rest to the wrapped predictor in one call.
   * When every row hits, the future is already complete.
   */
  @Override
  public CompletableFuture<Prediction> predictWithin(FeatureRows rows, Duration timeout) {
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(timeout, "timeout");
    if (delegate.scoresDependOnBatch() || rows.width() != width || rows.rowCount() == 0) {
      // Not ours to judge: the delegate reports bad input in its own words.
      bypassed.increment(rows.rowCount());
      return delegate.predictWithin(rows, timeout);
    }
    String version = delegate.version();
    long versionHash = hasher.version(version);
    int n = rows.rowCount();
    float[] data = rows.data();
    float[] scores = new float[n];
    long[] hashes = new long[n];
    int[] missing = new int[n];
    int missCount = 0;
    for (int r = 0; r < n; r++) {
      int from = r * width;
      long h = hasher.row(data, from, width, versionHash);
      hashes[r] = h;
      Entry e = table.get((int) h & mask);
      if (e != null && e.hash == h && e.version.equals(version)
          && Arrays.equals(e.row, 0, width, data, from, from + width)) {
        scores[r] = e.score;
      } else {
        missing[missCount++] = r;
      }
    }
    hits.add(n - missCount);
    misses.add(missCount);
    if (missCount == 0) {
      return CompletableFuture.completedFuture(new Prediction(scores, version));
    }
    FeatureRows toScore;
    if (missCount == n) {
      toScore = rows;
    } else {
      float[] compact = new float[missCount * width];
      for (int i = 0; i < missCount; i++) {
        System.arraycopy(data, missing[i] * width, compact, i * width, width);
      }
      toScore = new FeatureRows(compact, missCount, width);
    }
    int misses = missCount;
    // The rows are copied into entries before the returned future completes: the caller's buffer
    // is still ours until then.
    return delegate.predictWithin(toScore, timeout).thenApply(p -> {
      float[] fresh = p.scores();
      if (fresh.length != misses) {
        throw new IllegalStateException("the model returned " + fresh.length + " scores for " + misses + " rows");
      }
      boolean sameVersion = p.modelVersion().equals(version);
      for (int i = 0; i < misses; i++) {
        int r = missing[i];
        scores[r] = fresh[i];
        if (sameVersion) {
          int from = r * width;
          table.set((int) hashes[r] & mask,
              new Entry(hashes[r], version, Arrays.copyOfRange(data, from, from + width), fresh[i]));
        }
      }
      // Rows scored by a newer model than the cached ones would mix versions in one answer.
      if (!sameVersion && misses != n) {
        throw new StaleVersionException();
      }
      return new Prediction(scores, p.modelVersion());
    }).exceptionallyCompose(e -> unwrap(e) instanceof StaleVersionException
        ? delegate.predictWithin(rows, timeout) : CompletableFuture.failedFuture(unwrap(e)));
  }

  /** Hits over looked-up rows since start, or 0 before any lookup. */
  public double hitRatio() {
    long h = hits.sum();
    long total = h + misses.sum();
    return total == 0 ? 0 : (double) h / total;
  }

  /** Closes the wrapped predictor. */
  @Override
  public void close() {
    delegate.close();
  }

  /** Entries currently held; for tests. */
  int size() {
    int n = 0;
    for (int i = 0; i < table.length(); i++) {
      if (table.get(i) != null) {
        n++;
      }
    }
    return n;
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  /** A remembered score; immutable. */
  private record Entry(long hash, String version, float[] row, float score) {
  }

  /** The model was swapped between lookup and scoring; the whole request is scored again. */
  private static final class StaleVersionException extends RuntimeException {
    StaleVersionException() {
      super(null, null, false, false);
    }
  }

  /** The row and version hashes; replaceable so that tests can force collisions. */
  interface RowHasher {
    RowHasher STABLE = new RowHasher() {
    };

    /** A stable hash of the version string (FNV-1a over its chars, then a 64-bit finalizer). */
    default long version(String version) {
      long h = 0xcbf29ce484222325L;
      for (int i = 0; i < version.length(); i++) {
        h = (h ^ version.charAt(i)) * 0x100000001b3L;
      }
      return mix(h);
    }

    /** A stable hash of {@code width} floats' bit patterns from {@code from}, seeded by the version. */
    default long row(float[] data, int from, int width, long versionHash) {
      long h = versionHash;
      for (int i = from, end = from + width; i < end; i++) {
        h = (h ^ Float.floatToIntBits(data[i])) * 0x9e3779b97f4a7c15L;
        h ^= h >>> 29;
      }
      return mix(h);
    }

    private static long mix(long h) {
      h ^= h >>> 33;
      h *= 0xff51afd7ed558ccdL;
      h ^= h >>> 33;
      h *= 0xc4ceb9fe1a85ec53L;
      h ^= h >>> 33;
      return h;
    }
  }

  /** Configures a {@link CachingPredictor}. Each option may be set once. Not thread-safe. */
  public static final class Builder {
    private final Predictor delegate;
    private int maximumRows;
    private MeterRegistry registry;
    private String name;
    private RowHasher hasher;

    private Builder(Predictor delegate) {
      this.delegate = delegate;
    }

    /**
     * Rows remembered at most, rounded up to a power of two (default
     * {@value CachingPredictor#DEFAULT_MAXIMUM_ROWS}).
     */
    public Builder maximumRows(int rows) {
      if (maximumRows != 0) {
        throw new IllegalStateException("maximumRows is already set");
      }
      if (rows < 1 || rows > (1 << 30)) {
        throw new IllegalArgumentException("maximumRows must be in [1, 2^30], was " + rows);
      }
      maximumRows = rows;
      return this;
    }

    /** Where the cache registers its meters (default: a private {@code SimpleMeterRegistry}). */
    public Builder meterRegistry(MeterRegistry registry) {
      if (this.registry != null) {
        throw new IllegalStateException("meterRegistry is already set");
      }
      this.registry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    /** The {@code name} tag of the cache's meters (default {@code default}). */
    public Builder name(String name) {
      if (this.name != null) {
        throw new IllegalStateException("name is already set");
      }
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Replaces the hash function; tests force collisions with it. */
    Builder hasher(RowHasher hasher) {
      this.hasher = Objects.requireNonNull(hasher, "hasher");
      return this;
    }

    /** Builds the cache. */
    public CachingPredictor build() {
      return new CachingPredictor(this, hasher != null ? hasher : RowHasher.STABLE);
    }
  }
}
