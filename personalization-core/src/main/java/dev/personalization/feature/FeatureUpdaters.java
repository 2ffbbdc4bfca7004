package dev.personalization.feature;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The built-in {@link FeatureUpdater}s. Each is immutable and thread-safe.
 */
public final class FeatureUpdaters {

  /** Group name of {@link #decayedCounters}. */
  public static final String COUNTERS = "counters";
  /** Group name of {@link #recentItems}. */
  public static final String RECENT_ITEMS = "recent_items";
  /** Group name of {@link #categoryAffinity}. */
  public static final String CATEGORY_AFFINITY = "category_affinity";
  /** The half-lives of the default counters: 1 hour, 1 day, 7 days. */
  public static final List<Duration> DEFAULT_HALF_LIVES = List.of(Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(7));

  private FeatureUpdaters() {
  }

  /**
   * Decayed event counts per event type and half-life: one float per pair, named
   * {@code {type}_{halfLife}} (for example {@code click_1d}), holding the weighted count as of the
   * vector's {@link FeatureVector#asOfMillis()}.
   *
   * @param eventTypes the counted types, in column order
   * @param halfLives the half-lives, in column order
   */
  public static FeatureUpdater decayedCounters(List<String> eventTypes, List<Duration> halfLives) {
    return new DecayedCountersUpdater(eventTypes, halfLives);
  }

  /**
   * The last {@code n} distinct items a user interacted with, as {@link FeatureVector#references()}
   * ({@link dev.personalization.cache.StableHash} of the item id, most recent first). Feeds the
   * already-seen filter.
   */
  public static FeatureUpdater recentItems(int n) {
    return new RecentItemsUpdater(n);
  }

  /**
   * Decayed affinity per category, hashed into {@code buckets} columns
   * ({@code affinity_0 … affinity_{buckets-1}}) so that the width is fixed whatever the catalog.
   * Events without a category do not touch it.
   */
  public static FeatureUpdater categoryAffinity(int buckets, Duration halfLife) {
    return new CategoryAffinityUpdater(buckets, halfLife);
  }

  /** The bucket of a category in a {@link #categoryAffinity} vector of {@code buckets} columns. */
  public static int affinityBucket(String category, int buckets) {
    return (int) Math.floorMod(dev.personalization.cache.StableHash.of(category), (long) buckets);
  }

  /** A half-life as a short column suffix: {@code 1h}, {@code 7d}, {@code 30m}, {@code 90s}. */
  static String label(Duration d) {
    Objects.requireNonNull(d, "halfLife");
    long s = d.getSeconds();
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  static void checkHalfLife(Duration d) {
    Objects.requireNonNull(d, "halfLife");
    if (d.toMillis() <= 0) {
      throw new IllegalArgumentException("half-life must be at least 1 ms, was " + d);
    }
  }
}
