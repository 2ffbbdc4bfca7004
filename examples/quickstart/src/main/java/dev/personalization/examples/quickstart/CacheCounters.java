package dev.personalization.examples.quickstart;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of the engine's {@code personalization.cache.gets} counters, keyed by tier, freshness
 * class and result; the difference of two snapshots is what happened in between.
 */
final class CacheCounters {

  private final Map<String, Double> counts;

  private CacheCounters(Map<String, Double> counts) {
    this.counts = counts;
  }

  /** Reads the counters now. */
  static CacheCounters read(MeterRegistry registry) {
    Map<String, Double> counts = new TreeMap<>();
    for (Counter c : registry.find("personalization.cache.gets").counters()) {
      String key = c.getId().getTag("tier") + '/' + c.getId().getTag("freshness") + '/' + c.getId().getTag("result");
      counts.merge(key, c.count(), Double::sum);
    }
    return new CacheCounters(counts);
  }

  /** What was counted after {@code earlier} was read. */
  CacheCounters since(CacheCounters earlier) {
    Map<String, Double> delta = new TreeMap<>();
    counts.forEach((k, v) -> delta.put(k, v - earlier.counts.getOrDefault(k, 0.0)));
    return new CacheCounters(delta);
  }

  /** Lookups of a tier (or {@code loader}) with a result ({@code hit}/{@code miss}); freshness {@code null} sums all classes. */
  long count(String tier, String freshness, String result) {
    double sum = 0;
    for (Map.Entry<String, Double> e : counts.entrySet()) {
      String[] parts = e.getKey().split("/", -1);
      if (parts[0].equals(tier) && (freshness == null || parts[1].equals(freshness)) && parts[2].equals(result)) {
        sum += e.getValue();
      }
    }
    return Math.round(sum);
  }

  /** The tier names seen, alphabetically, then {@code loader}. */
  java.util.List<String> tiers() {
    java.util.LinkedHashSet<String> tiers = new java.util.LinkedHashSet<>();
    for (String k : counts.keySet()) {
      String t = k.substring(0, k.indexOf('/'));
      if (!t.equals("loader")) {
        tiers.add(t);
      }
    }
    tiers.add("loader");
    return java.util.List.copyOf(tiers);
  }
}
