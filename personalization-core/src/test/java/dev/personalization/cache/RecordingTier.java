package dev.personalization.cache;

import dev.personalization.feature.FeatureVector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link CacheTier} over a {@link ConcurrentHashMap} that remembers every call, for tests of code
 * that composes tiers. It ignores TTLs (it never expires anything) but keeps the one written with
 * each entry, so tests can assert on it. Thread-safe.
 */
public class RecordingTier implements CacheTier {

  private final String name;
  private final boolean inProcess;
  private final ConcurrentHashMap<String, CacheEntry> entries = new ConcurrentHashMap<>();
  private final List<List<String>> getAllCalls = new CopyOnWriteArrayList<>();
  private final List<CacheEntry> writes = new CopyOnWriteArrayList<>();

  /**
   * @param name the tier name
   * @param inProcess what {@link #inProcess()} answers; when true, {@link TieredCache} reads it with
   *     {@link #getIfPresent}
   */
  public RecordingTier(String name, boolean inProcess) {
    this.name = Objects.requireNonNull(name, "name");
    this.inProcess = inProcess;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean inProcess() {
    return inProcess;
  }

  @Override
  public FeatureVector getIfPresent(String key) {
    CacheEntry e = entries.get(key);
    return e == null ? null : e.value();
  }

  @Override
  public CompletableFuture<Map<String, FeatureVector>> getAll(Collection<String> keys) {
    getAllCalls.add(List.copyOf(keys));
    Map<String, FeatureVector> found = new HashMap<>();
    for (String key : keys) {
      CacheEntry e = entries.get(key);
      if (e != null) {
        found.put(key, e.value());
      }
    }
    return CompletableFuture.completedFuture(found);
  }

  @Override
  public CompletableFuture<Void> putAll(Collection<CacheEntry> batch) {
    for (CacheEntry e : batch) {
      writes.add(e);
      entries.merge(e.key(), e, (old, incoming) -> old.value().version() > incoming.value().version() ? old : incoming);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> clear() {
    entries.clear();
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> invalidateAll(Collection<String> keys) {
    for (String key : keys) {
      entries.remove(key);
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Stores a value directly, bypassing the call records. */
  public void seed(String key, FeatureVector value) {
    entries.put(key, new CacheEntry(key, value, CacheTierContract.TTL));
  }

  /** The entry held for a key (with the TTL it was written with), or {@code null}. */
  public CacheEntry entry(String key) {
    return entries.get(key);
  }

  /** The number of keys held. */
  public int size() {
    return entries.size();
  }

  /** The keys of every {@link #getAll} call, in call order. */
  public List<List<String>> getAllCalls() {
    return new ArrayList<>(getAllCalls);
  }

  /** Every entry passed to {@link #putAll}, in call order. */
  public List<CacheEntry> writes() {
    return new ArrayList<>(writes);
  }
}
