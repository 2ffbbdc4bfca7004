package dev.personalization.cache.caffeine;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.CacheTier;
import dev.personalization.cache.TieredCache;
import dev.personalization.feature.FeatureVector;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * Builds the in-process (L1) {@link CacheTier} backed by a Caffeine cache.
 *
 * <pre>{@code
 * CacheTier l1 = CaffeineTier.builder()
 *     .maximumBytes(256L << 20)      // or .maximumEntries(...), not both
 *     .meterRegistry(registry)       // cache.gets, cache.size, cache.evictions ... tagged cache=l1
 *     .build();
 * TieredCache cache = TieredCache.of(List.of(l1, redisTier), CachePolicy.ofDefaults(), registry);
 * }</pre>
 *
 * <p>The tier it builds:
 *
 * <ul>
 *   <li>never returns an entry past the TTL its {@link CacheEntry} carries; reads do not extend
 *       it. The deadline is checked on read rather than by a Caffeine expiry policy (which costs
 *       shared writes on every hit), so an expired entry leaves when it is next read or when the
 *       bound evicts it: size the tier for the working set, as for any LRU cache;
 *   <li>never replaces a value with a larger {@link FeatureVector#version()}: an older write is
 *       dropped, an equal or newer one replaces the held value and its TTL;
 *   <li>reports only a random sample of reads to Caffeine's eviction policy (one in
 *       {@value #DEFAULT_READ_SAMPLING} by default, see {@link Builder#readSampling(int)}): the
 *       per-read bookkeeping, not the lookup, is what a hot read path pays for in a bounded cache;
 *   <li>answers {@link CacheTier#inProcess()} with {@code true}, so {@link TieredCache} reads it with
 *       {@link CacheTier#getIfPresent} (one Caffeine lookup) on the caller's thread;
 *   <li>completes {@code getAll}, {@code putAll} and {@code invalidateAll} before returning; their
 *       futures are already done;
 *   <li>is thread-safe; {@code close()} empties it and removes the meters it registered, and may be
 *       called more than once.
 * </ul>
 */
public final class CaffeineTier {

  /** The tier name used when none is set: {@value}. */
  public static final String DEFAULT_NAME = "l1";

  /** The entry bound used when neither bound is set: {@value}. */
  public static final long DEFAULT_MAXIMUM_ENTRIES = 100_000;

  /** One read in this many, drawn at random, informs the eviction policy by default: {@value}. */
  public static final int DEFAULT_READ_SAMPLING = 8;

  private CaffeineTier() {
  }

  /** A builder with the defaults: name {@value #DEFAULT_NAME}, {@value #DEFAULT_MAXIMUM_ENTRIES} entries, no metrics. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Configures a Caffeine tier. Each setter replaces an earlier call of itself; conflicting settings
   * are rejected by {@link #build()}. Not thread-safe.
   */
  public static final class Builder {

    private static final long UNSET = -1;

    private String name = DEFAULT_NAME;
    private long maximumEntries = UNSET;
    private long maximumBytes = UNSET;
    private int readSampling = DEFAULT_READ_SAMPLING;
    private Ticker ticker = Ticker.systemTicker();
    private MeterRegistry meterRegistry;

    private Builder() {
    }

    /**
     * The tier's name, used by {@link TieredCache} metrics and as the {@code cache} tag of the
     * Caffeine meters (default {@value CaffeineTier#DEFAULT_NAME}).
     *
     * @throws IllegalArgumentException if the name is blank
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * Bounds the tier by number of entries (default {@value CaffeineTier#DEFAULT_MAXIMUM_ENTRIES}
     * when no bound is set). Excludes {@link #maximumBytes(long)}. Eviction runs shortly after the
     * bound is crossed, so the size may briefly exceed it.
     *
     * @throws IllegalArgumentException unless {@code maximumEntries > 0}
     */
    public Builder maximumEntries(long maximumEntries) {
      if (maximumEntries <= 0) {
        throw new IllegalArgumentException("maximumEntries must be positive, was " + maximumEntries);
      }
      this.maximumEntries = maximumEntries;
      return this;
    }

    /**
     * Bounds the tier by approximate heap bytes: each entry weighs
     * {@link FeatureVector#estimatedBytes()} plus two bytes per key character. Excludes
     * {@link #maximumEntries(long)}; unset by default.
     *
     * @throws IllegalArgumentException unless {@code maximumBytes > 0}
     */
    public Builder maximumBytes(long maximumBytes) {
      if (maximumBytes <= 0) {
        throw new IllegalArgumentException("maximumBytes must be positive, was " + maximumBytes);
      }
      this.maximumBytes = maximumBytes;
      return this;
    }

    /**
     * Reports one read in {@code oneIn}, drawn at random, to Caffeine's eviction policy (default
     * {@value CaffeineTier#DEFAULT_READ_SAMPLING}); {@code 1} reports every read, as a plain
     * Caffeine cache does. Every read still counts in the hit and miss statistics.
     *
     * <p>Why sample: a reported read is queued, and the queue's drain moves the entry in Caffeine's
     * LRU lists and counts it in its frequency sketch, writing to memory every reader of that entry
     * shares. With a request reading 200 popular item keys from two threads, that bookkeeping cost
     * several times the lookup itself. Eviction only needs relative frequencies and rough recency:
     * a key read often is still reported often (Caffeine itself drops reads when its queue is
     * full). A key read rarely may go unreported, so it looks colder than it is; with a tier sized
     * for its working set that costs nothing, and when it is too small, the keys evicted first are
     * still the rarely read ones.
     *
     * @throws IllegalArgumentException unless {@code oneIn >= 1}
     */
    public Builder readSampling(int oneIn) {
      if (oneIn < 1) {
        throw new IllegalArgumentException("readSampling must be at least 1, was " + oneIn);
      }
      this.readSampling = oneIn;
      return this;
    }

    /**
     * The time source for expiry and statistics (default {@link Ticker#systemTicker()}); tests pass
     * a fake one to move time without sleeping.
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Publishes the Caffeine statistics (hits, misses, evictions, size) to {@code meterRegistry}
     * through Micrometer's {@code CaffeineCacheMetrics}, tagged {@code cache=<name>}. Unset by
     * default: statistics are still recorded but not published.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /**
     * Builds the tier.
     *
     * @throws IllegalStateException if both {@code maximumEntries} and {@code maximumBytes} are set
     */
    public CacheTier build() {
      if (maximumEntries != UNSET && maximumBytes != UNSET) {
        throw new IllegalStateException("maximumEntries (" + maximumEntries + ") and maximumBytes ("
            + maximumBytes + ") are mutually exclusive; set one of them");
      }
      boolean byBytes = maximumBytes != UNSET;
      long bound = byBytes ? maximumBytes : maximumEntries == UNSET ? DEFAULT_MAXIMUM_ENTRIES : maximumEntries;
      return new CaffeineCacheTier(name, byBytes, bound, readSampling, ticker, meterRegistry);
    }
  }
}
