package dev.personalization.bench.load;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Monotonic lookup counts of one cache tier (or of the loader behind the tiers).
 *
 * @param hits lookups the tier answered
 * @param misses lookups it passed on
 */
public record TierCounts(long hits, long misses) {

  /** No lookups. */
  public static final TierCounts ZERO = new TierCounts(0, 0);

  /** All lookups. */
  public long lookups() {
    return hits + misses;
  }

  /** {@code hits / lookups}, or NaN without lookups. */
  public double hitRate() {
    return lookups() == 0 ? Double.NaN : (double) hits / lookups();
  }

  /** The counts since {@code earlier}. */
  public TierCounts minus(TierCounts earlier) {
    return new TierCounts(hits - earlier.hits, misses - earlier.misses);
  }

  /** Per-key difference {@code later - earlier}; keys only in {@code later} count from zero. */
  public static Map<String, TierCounts> delta(Map<String, TierCounts> earlier, Map<String, TierCounts> later) {
    Map<String, TierCounts> out = new LinkedHashMap<>();
    later.forEach((k, v) -> out.put(k, v.minus(earlier.getOrDefault(k, ZERO))));
    return out;
  }

  /**
   * The share of cacheable lookups that a cache tier answered: {@code 1 - loader lookups / top-tier
   * lookups}, over the {@code tier/freshness} keys of the {@code static} and {@code dynamic} classes
   * (real-time values are never cached, so they do not count against the caches). NaN when there
   * were no lookups; 0 when there are no tiers.
   */
  public static double overallHitRate(Map<String, TierCounts> counts) {
    long top = 0;
    long loader = 0;
    Map<String, Long> perTier = new LinkedHashMap<>();
    for (Map.Entry<String, TierCounts> e : counts.entrySet()) {
      int slash = e.getKey().indexOf('/');
      if (slash < 0) {
        continue;
      }
      String freshness = e.getKey().substring(slash + 1);
      if (!freshness.equals("static") && !freshness.equals("dynamic")) {
        continue;
      }
      String tier = e.getKey().substring(0, slash);
      if (tier.equals(Target.LOADER)) {
        loader += e.getValue().lookups();
      } else {
        perTier.merge(tier, e.getValue().lookups(), Long::sum);
      }
    }
    for (long lookups : perTier.values()) {
      top = Math.max(top, lookups);
    }
    if (perTier.isEmpty()) {
      return loader == 0 ? Double.NaN : 0;
    }
    return top == 0 ? Double.NaN : 1.0 - (double) loader / top;
  }
}
