package dev.personalization.bench.capacity;

import dev.personalization.Event;
import dev.personalization.PersonalizationEngine;
import dev.personalization.bench.workload.SyntheticWorkload;
import dev.personalization.bench.workload.WorkloadSpec;
import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.CacheKeys;
import dev.personalization.cache.CacheTier;
import dev.personalization.cache.StableHash;
import dev.personalization.cache.caffeine.CaffeineTier;
import dev.personalization.feature.FeatureSchema;
import dev.personalization.feature.FeatureUpdater;
import dev.personalization.feature.FeatureUpdaters;
import dev.personalization.feature.FeatureVector;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures the heap one cached user costs in the Caffeine L1: fill a tier with N users' feature
 * groups exactly as the engine caches them, and divide the growth of the heap by N.
 *
 * <p>Method. The user vectors come from the engine's own built-in updaters (decayed counters,
 * recent items, category affinity, with the engine's default parameters) applied to each user's
 * events from the standard synthetic shop, under the engine's own cache keys
 * ({@link CacheKeys}); the tier is the engine's {@link CaffeineTier}, bounded at exactly the entries
 * it is filled with (as an L1 sized for the active users is, so Caffeine's frequency sketch is
 * included). The events are generated before the first heap reading and kept alive until the last,
 * so the difference is the tier alone: keys, nodes, the tier's wrappers, the vectors and their
 * arrays, the hash table and the sketch. Each reading follows {@code System.gc()} (a full,
 * stop-the-world collection on G1), repeated until the used heap stops shrinking.
 *
 * <p>Two populations: the synthetic shop's users (most have a few events, so short recent-item
 * lists), and "full" users whose every group is at its largest (50 recent items): the bound.
 *
 * <pre>
 * java -Xmx2g -cp personalization-bench/target/benchmarks.jar dev.personalization.bench.capacity.HeapPerCachedUser
 * </pre>
 */
public final class HeapPerCachedUser {

  /**
   * One measurement.
   *
   * @param population which users
   * @param users how many
   * @param entries cache entries they occupy
   * @param heapBytes heap growth after collection
   * @param estimatedBytes the tier's own weight estimate ({@code FeatureVector.estimatedBytes()} plus two bytes per key character)
   */
  public record Footprint(String population, int users, long entries, long heapBytes, long estimatedBytes) {

    /** Heap per user. */
    public double bytesPerUser() {
      return (double) heapBytes / users;
    }

    /** Estimate per user. */
    public double estimatedBytesPerUser() {
      return (double) estimatedBytes / users;
    }
  }

  private static final CacheKeys KEYS = CacheKeys.namespace(CacheKeys.DEFAULT_NAMESPACE);

  private HeapPerCachedUser() {
  }

  public static void main(String[] args) {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : WorkloadSpec.STANDARD_USERS;
    System.out.printf(Locale.ROOT, "heap per cached user, %d users per population, %s, max heap %d MB%n", users,
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        Runtime.getRuntime().maxMemory() >> 20);
    measure("warm-up (discarded)", Math.min(users, 20_000), false);
    for (Footprint f : List.of(measure("synthetic shop", users, false), measure("full (50 recent items)", users, true))) {
      System.out.printf(Locale.ROOT, "%-24s users %,d  entries %,d  heap %,d B  => %.0f B/user (tier estimate %.0f B/user)%n",
          f.population(), f.users(), f.entries(), f.heapBytes(), f.bytesPerUser(), f.estimatedBytesPerUser());
    }
  }

  /** The engine's built-in user updaters with its default parameters. */
  static List<FeatureUpdater> engineUpdaters() {
    return List.of(
        FeatureUpdaters.decayedCounters(List.copyOf(PersonalizationEngine.DEFAULT_EVENT_TYPES.keySet()),
            FeatureUpdaters.DEFAULT_HALF_LIVES),
        FeatureUpdaters.recentItems(PersonalizationEngine.DEFAULT_RECENT_ITEMS),
        FeatureUpdaters.categoryAffinity(PersonalizationEngine.DEFAULT_AFFINITY_BUCKETS,
            PersonalizationEngine.DEFAULT_AFFINITY_HALF_LIFE));
  }

  /**
   * Fills a fresh tier with {@code users} users and returns the heap it grew by.
   *
   * @param full every group at its largest instead of the synthetic shop's histories
   */
  public static Footprint measure(String population, int users, boolean full) {
    List<FeatureUpdater> updaters = engineUpdaters();
    Map<String, List<Event>> history = full ? Map.of() : histories(users);
    List<String> ids = new ArrayList<>(users);
    for (int u = 0; u < users; u++) {
      ids.add("u" + u);
    }
    CacheTier tier = CaffeineTier.builder().maximumEntries((long) users * updaters.size()).build();
    long before = usedAfterGc();
    long estimate = 0;
    long entries = 0;
    SplittableRandom random = new SplittableRandom(7);
    List<CacheEntry> batch = new ArrayList<>(3 * 1024);
    for (String id : ids) {
      for (FeatureUpdater updater : updaters) {
        FeatureVector v = full ? fullVector(updater.schema(), random) : vector(updater, history.get(id));
        if (v == null) {
          continue;
        }
        // A fresh key string per entry, as the engine builds one per write.
        String key = KEYS.key(updater.schema(), id);
        estimate += v.estimatedBytes() + 2L * key.length();
        batch.add(new CacheEntry(key, v, Duration.ofMinutes(5)));
        entries++;
      }
      if (batch.size() >= 3 * 1024) {
        tier.putAll(batch).join();
        batch.clear();
      }
    }
    tier.putAll(batch).join();
    batch.clear();
    long after = usedAfterGc();
    // Keep the inputs alive until after the second reading, so that only the tier is measured.
    java.lang.ref.Reference.reachabilityFence(history);
    java.lang.ref.Reference.reachabilityFence(ids);
    java.lang.ref.Reference.reachabilityFence(tier);
    tier.close();
    return new Footprint(population, users, entries, after - before, estimate);
  }

  private static FeatureVector vector(FeatureUpdater updater, List<Event> events) {
    if (events == null) {
      return null;
    }
    List<Event> touched = new ArrayList<>(events.size());
    for (Event e : events) {
      if (updater.touches(e)) {
        touched.add(e);
      }
    }
    return touched.isEmpty() ? null : updater.apply(null, touched, 1);
  }

  private static FeatureVector fullVector(FeatureSchema schema, SplittableRandom random) {
    float[] values = new float[schema.width()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextDouble();
    }
    long[] refs = new long[schema.group().equals(FeatureUpdaters.RECENT_ITEMS) ? PersonalizationEngine.DEFAULT_RECENT_ITEMS : 0];
    for (int i = 0; i < refs.length; i++) {
      refs[i] = StableHash.of("i" + random.nextInt(10_000));
    }
    return FeatureVector.of(schema.version(), 1, System.currentTimeMillis(), values, refs);
  }

  /** The standard shop's seed events for users {@code u0 … u(users-1)}, per user, oldest first. */
  private static Map<String, List<Event>> histories(int users) {
    WorkloadSpec standard = WorkloadSpec.standard();
    WorkloadSpec spec = new WorkloadSpec(users, standard.items(), standard.categories(), standard.userSkew(),
        standard.itemSkew(), users * 3, standard.searchCandidates(), standard.homepageWeight(), standard.searchWeight(),
        standard.categoryWeight(), standard.seed());
    Map<String, List<Event>> byUser = new LinkedHashMap<>();
    for (Event e : SyntheticWorkload.of(spec).seedEvents(Instant.now())) {
      byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e);
    }
    byUser.values().forEach(l -> l.sort(Comparator.comparing(Event::timestamp)));
    return byUser;
  }

  /** The used heap once repeated full collections stop freeing anything. */
  static long usedAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (now >= used - 1024) {
        return Math.min(now, used);
      }
      used = now;
    }
    return used;
  }
}
