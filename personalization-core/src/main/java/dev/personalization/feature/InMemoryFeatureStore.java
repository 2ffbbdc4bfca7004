package dev.personalization.feature;

import dev.personalization.Event;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** {@link FeatureStore#inMemory()}: concurrent maps per group and a set of seen event ids. */
final class InMemoryFeatureStore implements FeatureStore {

  private final Map<String, ConcurrentHashMap<String, FeatureVector>> groups = new ConcurrentHashMap<>();
  private final Set<String> seenEventIds = ConcurrentHashMap.newKeySet();

  @Override
  public Map<String, FeatureVector> fetchMany(FeatureSchema schema, Collection<String> ids) {
    ConcurrentHashMap<String, FeatureVector> group = groups.get(schema.group());
    Map<String, FeatureVector> found = new HashMap<>();
    if (group == null) {
      return found;
    }
    for (String id : ids) {
      FeatureVector v = group.get(id);
      if (v != null) {
        found.put(id, v);
      }
    }
    return found;
  }

  @Override
  public boolean compareAndSet(FeatureSchema schema, String id, long expectedVersion, FeatureVector value) {
    if (value.version() <= expectedVersion) {
      throw new IllegalArgumentException("new version " + value.version() + " of " + schema.group() + "/" + id
          + " must be larger than the expected " + expectedVersion);
    }
    ConcurrentHashMap<String, FeatureVector> group = groups.computeIfAbsent(schema.group(), g -> new ConcurrentHashMap<>());
    if (expectedVersion == 0) {
      return group.putIfAbsent(id, value) == null;
    }
    boolean[] written = {false};
    group.computeIfPresent(id, (k, current) -> {
      if (current.version() == expectedVersion) {
        written[0] = true;
        return value;
      }
      return current;
    });
    return written[0];
  }

  @Override
  public List<Event> appendNew(List<Event> events) {
    List<Event> fresh = new ArrayList<>(events.size());
    for (Event e : events) {
      if (seenEventIds.add(e.id())) {
        fresh.add(e);
      }
    }
    return fresh;
  }
}
