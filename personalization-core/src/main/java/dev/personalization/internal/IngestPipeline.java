package dev.personalization.internal;

import dev.personalization.Event;
import dev.personalization.IngestResult;
import dev.personalization.InvalidEventException;
import dev.personalization.Item;
import dev.personalization.PersonalizationException;
import dev.personalization.cache.StableHash;
import dev.personalization.cache.TieredCache;
import dev.personalization.feature.FeatureSchema;
import dev.personalization.feature.FeatureStore;
import dev.personalization.feature.FeatureUpdater;
import dev.personalization.feature.FeatureVector;
import dev.personalization.feature.FeatureWrite;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The write path: validate events, append the new ones to the store's durable log (idempotent by
 * id), update the touched users' groups with compare-and-set (per group: one bulk read of the
 * latest vectors, one bulk compare-and-set, retries for the ids that lost a race) — the append and
 * the feature writes in one {@link FeatureStore#inTransaction} unit — then write the results through
 * the cache tiers and feed popularity. Durable before visible: caches and popularity change only
 * after the store committed.
 */
public final class IngestPipeline {

  private static final System.Logger LOG = System.getLogger(IngestPipeline.class.getName());
  private static final int MAX_CAS_ATTEMPTS = 16;
  private static final long MAX_BACKOFF_MILLIS = 50;
  private static final int MAX_ID_LENGTH = 256;

  private final FeatureStore store;
  private final TieredCache cache;
  private final List<FeatureUpdater> updaters;
  private final Map<String, GroupKeys> userKeys;
  private final ItemKeys itemKeys;
  private final Map<String, Double> eventTypeWeights;
  private final PopularityIndex popularity;
  private final ItemCatalog catalog;
  private final InstantSource clock;
  private final Duration maxClockSkew;
  private final EngineMetrics metrics;

  public IngestPipeline(FeatureStore store, TieredCache cache, List<FeatureUpdater> updaters, Map<String, GroupKeys> userKeys,
      ItemKeys itemKeys, Map<String, Double> eventTypeWeights, PopularityIndex popularity, ItemCatalog catalog,
      InstantSource clock, Duration maxClockSkew, EngineMetrics metrics) {
    this.store = store;
    this.cache = cache;
    this.updaters = List.copyOf(updaters);
    this.userKeys = Map.copyOf(userKeys);
    this.itemKeys = itemKeys;
    this.eventTypeWeights = Map.copyOf(eventTypeWeights);
    this.popularity = popularity;
    this.catalog = catalog;
    this.clock = clock;
    this.maxClockSkew = maxClockSkew;
    this.metrics = metrics;
  }

  /** See {@code PersonalizationEngine#ingest}. */
  public IngestResult ingest(Collection<Event> events) {
    List<InvalidEventException> rejected = new ArrayList<>();
    List<Event> valid = new ArrayList<>(events.size());
    long horizon = clock.millis() + maxClockSkew.toMillis();
    int index = 0;
    for (Event e : events) {
      InvalidEventException problem = validate(e, index++, horizon);
      if (problem != null) {
        rejected.add(problem);
      } else {
        valid.add(e.category() == null && catalog.category(e.itemId()) != null
            ? e.withCategory(catalog.category(e.itemId())) : e);
      }
    }
    List<Event> unique = valid.isEmpty() ? List.of() : dedupeWithinBatch(valid);
    // The log append and the feature writes commit together where the store is transactional;
    // caches and popularity change only after that commit.
    Applied applied = unique.isEmpty() ? new Applied(List.of(), List.of()) : store.inTransaction(tx -> {
      List<Event> appended = tx.appendNew(unique);
      return new Applied(appended, appended.isEmpty() ? List.of() : updateFeatures(tx, appended));
    });
    List<Event> fresh = applied.events();
    int duplicates = valid.size() - fresh.size();
    if (!fresh.isEmpty()) {
      for (GroupWrites w : applied.writes()) {
        cache.putAll(w.entries(), w.schema().freshness()).join();
      }
      for (Event e : fresh) {
        double w = e.weight() * eventTypeWeights.get(e.type());
        long t = e.timestamp().toEpochMilli();
        popularity.record(PopularityIndex.GLOBAL, e.itemId(), w, t);
        if (e.scenario() != null) {
          popularity.record(PopularityIndex.scenarioBoard(e.scenario()), e.itemId(), w, t);
        }
        if (e.category() != null) {
          popularity.record(PopularityIndex.categoryBoard(e.category()), e.itemId(), w, t);
        }
      }
    }
    metrics.ingest(fresh.size(), duplicates, rejected.size());
    return new IngestResult(fresh.size(), duplicates, rejected);
  }

  /** Writes items' features to the store and through the caches, and records their categories. */
  public void upsertItems(Collection<Item> items) {
    FeatureSchema schema = itemKeys.schema();
    Map<String, Item> byId = new LinkedHashMap<>();
    for (Item item : items) {
      float[] f = item.features();
      if (f.length != schema.width()) {
        throw new IllegalArgumentException("item '" + item.id() + "' has " + f.length + " features, the engine's item columns are "
            + schema.columns());
      }
      for (int i = 0; i < f.length; i++) {
        if (!Float.isFinite(f[i])) {
          throw new IllegalArgumentException("item '" + item.id() + "' feature '" + schema.columns().get(i) + "' is " + f[i]);
        }
      }
      byId.put(item.id(), item);
    }
    if (byId.isEmpty()) {
      return;
    }
    for (Item item : byId.values()) {
      catalog.put(item.id(), item.category());
    }
    Map<String, FeatureVector> stored = casAll(store, schema, byId.keySet(), false, (id, existing, version) -> {
      Item item = byId.get(id);
      return FeatureVector.of(schema.version(), version, clock.millis(), item.features(), new long[] {StableHash.of(item.category())});
    });
    Map<String, FeatureVector> written = new HashMap<>();
    stored.forEach((id, v) -> written.put(itemKeys.key(id), v));
    cache.putAll(written, schema.freshness()).join();
  }

  private static List<Event> dedupeWithinBatch(List<Event> events) {
    Map<String, Event> byId = new LinkedHashMap<>();
    for (Event e : events) {
      byId.putIfAbsent(e.id(), e);
    }
    return byId.size() == events.size() ? events : new ArrayList<>(byId.values());
  }

  /** What one ingest batch changed in the store: the new events and, per group, the vectors written. */
  private record Applied(List<Event> events, List<GroupWrites> writes) {
  }

  private record GroupWrites(FeatureSchema schema, Map<String, FeatureVector> entries) {
  }

  /**
   * Computes and compare-and-sets the touched users' groups on {@code tx}; returns the cache
   * entries to write once the store has committed.
   */
  private List<GroupWrites> updateFeatures(FeatureStore tx, List<Event> fresh) {
    List<GroupWrites> out = new ArrayList<>(updaters.size());
    Map<String, List<Event>> byUser = new LinkedHashMap<>();
    for (Event e : fresh) {
      byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e);
    }
    for (FeatureUpdater updater : updaters) {
      GroupKeys keys = userKeys.get(updater.schema().group());
      Map<String, List<Event>> touchedByUser = new LinkedHashMap<>();
      for (Map.Entry<String, List<Event>> user : byUser.entrySet()) {
        List<Event> touched = new ArrayList<>();
        for (Event e : user.getValue()) {
          if (updater.touches(e)) {
            touched.add(e);
          }
        }
        if (!touched.isEmpty()) {
          touched.sort(Comparator.comparing(Event::timestamp));
          touchedByUser.put(user.getKey(), touched);
        }
      }
      if (touchedByUser.isEmpty()) {
        continue;
      }
      Map<String, FeatureVector> stored = casAll(tx, updater.schema(), touchedByUser.keySet(), true,
          (id, existing, version) -> updater.apply(existing, touchedByUser.get(id), version));
      Map<String, FeatureVector> written = new HashMap<>();
      stored.forEach((id, v) -> written.put(keys.key(id), v));
      out.add(new GroupWrites(updater.schema(), written));
    }
    return out;
  }

  /**
   * Reads the latest vectors of all {@code ids} in one call, applies the update to each, and
   * compare-and-sets them in one call; ids that lost a race are re-read and retried, after a short
   * random pause that de-synchronises competing writers. Store failures propagate.
   *
   * @param containFailures whether an update that throws costs only its own id (logged) instead of
   *     the whole call
   * @return the vectors written, by id
   */
  private static Map<String, FeatureVector> casAll(FeatureStore store, FeatureSchema schema, Collection<String> ids,
      boolean containFailures, Update update) {
    Map<String, FeatureVector> done = new LinkedHashMap<>();
    Collection<String> pending = ids;
    for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS && !pending.isEmpty(); attempt++) {
      if (attempt > 0) {
        backOff(attempt);
      }
      Map<String, FeatureVector> current = store.fetchManyLatest(schema, pending);
      List<FeatureWrite> writes = new ArrayList<>(pending.size());
      for (String id : pending) {
        FeatureVector existing = current.get(id);
        long expected = existing == null ? 0 : existing.version();
        FeatureVector next;
        try {
          next = update.apply(id, existing, expected + 1);
        } catch (PersonalizationException e) {
          throw e;
        } catch (RuntimeException e) {
          if (!containFailures) {
            throw e;
          }
          // A broken plug-in must not cost the other groups and users of the batch.
          LOG.log(System.Logger.Level.WARNING, "feature updater for group '" + schema.group() + "' failed for '" + id + "'", e);
          continue;
        }
        if (next.version() != expected + 1) {
          next = next.withVersion(expected + 1);
        }
        writes.add(new FeatureWrite(id, expected, next));
      }
      Set<String> won = writes.isEmpty() ? Set.of() : store.compareAndSetAll(schema, writes);
      List<String> lost = new ArrayList<>();
      for (FeatureWrite w : writes) {
        if (won.contains(w.id())) {
          done.put(w.id(), w.value());
        } else {
          lost.add(w.id());
        }
      }
      pending = lost;
    }
    if (!pending.isEmpty()) {
      throw new PersonalizationException("could not update " + schema.group() + " of " + pending.size() + " id(s), first '"
          + pending.iterator().next() + "', after " + MAX_CAS_ATTEMPTS + " compare-and-set attempts: too many concurrent writers");
    }
    return done;
  }

  private static void backOff(int attempt) {
    long maxMillis = Math.min(MAX_BACKOFF_MILLIS, 1L << attempt);
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(maxMillis + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PersonalizationException("interrupted while retrying a compare-and-set", e);
    }
  }

  @FunctionalInterface
  private interface Update {
    FeatureVector apply(String id, FeatureVector existing, long newVersion);
  }

  private InvalidEventException validate(Event e, int index, long horizonMillis) {
    if (e == null) {
      return new InvalidEventException("<index " + index + ">", "event", "is null");
    }
    String id = e.id() == null || e.id().isBlank() ? "<index " + index + ">" : e.id();
    if (e.id() == null || e.id().isBlank()) {
      return new InvalidEventException(id, "id", "is missing");
    }
    String idProblem = checkId(e.id());
    if (idProblem != null) {
      return new InvalidEventException(id, "id", idProblem);
    }
    if (e.userId() == null || e.userId().isBlank()) {
      return new InvalidEventException(id, "userId", "is missing");
    }
    if ((idProblem = checkId(e.userId())) != null) {
      return new InvalidEventException(id, "userId", idProblem);
    }
    if (e.itemId() == null || e.itemId().isBlank()) {
      return new InvalidEventException(id, "itemId", "is missing");
    }
    if ((idProblem = checkId(e.itemId())) != null) {
      return new InvalidEventException(id, "itemId", idProblem);
    }
    if (e.type() == null) {
      return new InvalidEventException(id, "type", "is missing");
    }
    if (!eventTypeWeights.containsKey(e.type())) {
      return new InvalidEventException(id, "type", "unknown type '" + e.type() + "', known: " + Set.copyOf(eventTypeWeights.keySet()));
    }
    if (e.timestamp() == null) {
      return new InvalidEventException(id, "timestamp", "is missing");
    }
    if (e.timestamp().isBefore(java.time.Instant.EPOCH)) {
      return new InvalidEventException(id, "timestamp", e.timestamp() + " is before 1970");
    }
    if (e.timestamp().isAfter(java.time.Instant.ofEpochMilli(horizonMillis))) {
      return new InvalidEventException(id, "timestamp", e.timestamp() + " is more than " + maxClockSkew + " in the future");
    }
    if (!Double.isFinite(e.weight()) || e.weight() < 0) {
      return new InvalidEventException(id, "weight", "must be finite and >= 0, was " + e.weight());
    }
    if (e.category() != null && (idProblem = checkId(e.category())) != null) {
      return new InvalidEventException(id, "category", idProblem);
    }
    if (e.scenario() != null && !e.scenario().matches("[a-z0-9_-]{1,64}")) {
      return new InvalidEventException(id, "scenario", "must match [a-z0-9_-]{1,64}, was '" + e.scenario() + "'");
    }
    return null;
  }

  private static String checkId(String s) {
    if (s.isBlank()) {
      return "is blank";
    }
    if (s.length() > MAX_ID_LENGTH) {
      return "is longer than " + MAX_ID_LENGTH + " characters";
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        return "contains a control character at index " + i;
      }
    }
    return null;
  }
}
