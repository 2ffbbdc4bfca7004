package dev.personalization.feature;

import dev.personalization.Event;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The durable home of feature vectors and of the event log; the cache tiers sit in front of it.
 *
 * <p>Methods may block (a database call); the engine calls them on its own executor, never on a
 * caller's thread. Implementations must be thread-safe. Failures are thrown as unchecked exceptions
 * and surface as a degraded recommendation or a failed ingest.
 */
public interface FeatureStore extends AutoCloseable {

  /**
   * Reads the vectors of many entities of one group in one round trip.
   *
   * @return the vectors found, keyed by entity id; absent ids have none
   */
  Map<String, FeatureVector> fetchMany(FeatureSchema schema, Collection<String> ids);

  /**
   * Writes {@code value} for {@code id} only if the stored version is {@code expectedVersion}
   * ({@code 0} meaning: nothing stored yet). {@code value.version()} must be larger.
   *
   * @return whether the write happened; {@code false} means another writer won and the caller
   *     should re-read and retry
   */
  boolean compareAndSet(FeatureSchema schema, String id, long expectedVersion, FeatureVector value);

  /**
   * Reads the vectors a writer is about to compare-and-set: the latest committed ones, never a
   * possibly lagging copy. A store that reads from replicas must read these from its primary; the
   * default is {@link #fetchMany}, right for a store with one copy of the data.
   *
   * @return the vectors found, keyed by entity id; absent ids have none
   */
  default Map<String, FeatureVector> fetchManyLatest(FeatureSchema schema, Collection<String> ids) {
    return fetchMany(schema, ids);
  }

  /**
   * Applies many independent compare-and-sets of one group, each with the semantics of
   * {@link #compareAndSet}; a store may send them in one round trip. Each write stands alone: one
   * that loses its race does not stop the others. The default loops over {@link #compareAndSet}.
   *
   * @param writes at most one per id
   * @return the ids whose writes happened; the others lost to another writer and should be re-read
   *     and retried
   * @throws IllegalArgumentException when two writes name the same id
   */
  default Set<String> compareAndSetAll(FeatureSchema schema, List<FeatureWrite> writes) {
    Set<String> ids = new HashSet<>();
    for (FeatureWrite w : writes) {
      if (!ids.add(w.id())) {
        throw new IllegalArgumentException("two writes for '" + w.id() + "' of group " + schema.group() + " in one batch");
      }
    }
    Set<String> written = new LinkedHashSet<>();
    for (FeatureWrite w : writes) {
      if (compareAndSet(schema, w.id(), w.expectedVersion(), w.value())) {
        written.add(w.id());
      }
    }
    return written;
  }

  /**
   * Appends events to the durable log, idempotently by event id.
   *
   * @return the events whose ids had not been appended before, in input order; only these may
   *     update features
   */
  List<Event> appendNew(List<Event> events);

  /**
   * Runs one ingest batch's store calls as one atomic unit where the store can: {@code work} makes
   * its {@link #appendNew}, {@link #fetchManyLatest} and {@link #compareAndSetAll} calls on the
   * store it is handed, and either all of them take effect or none does. Without that, a failure
   * between appending events and writing the features they change would leave events logged (so a
   * retry skips them as duplicates) whose features were never updated.
   *
   * <p>A transactional store may run {@code work} more than once (after a deadlock, say), so it must
   * have no effects outside the store calls it makes; the handed store is valid only inside
   * {@code work}, on the calling thread. The default runs {@code work} once on this store: each call
   * then stands alone, which is right for a store that cannot fail between two calls (the in-memory
   * one) and the documented weakness of one that can.
   *
   * @return what {@code work} returned
   */
  default <T> T inTransaction(Function<FeatureStore, T> work) {
    return work.apply(this);
  }

  /** Releases connections; the default does nothing. */
  @Override
  default void close() {
  }

  /**
   * A thread-safe store in this process's heap: the reference implementation, for tests, demos and
   * hosts that rebuild features from their own event stream on start. Nothing survives a restart.
   */
  static FeatureStore inMemory() {
    return new InMemoryFeatureStore();
  }
}
