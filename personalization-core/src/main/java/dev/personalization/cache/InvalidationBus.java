package dev.personalization.cache;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Carries cache invalidations between engine instances that share a remote tier, so that each
 * instance can drop the in-process (L1) copies another instance made stale.
 *
 * <p>{@link TieredCache} publishes <em>writes</em> only: write-through after an update
 * ({@link TieredCache#putAll}) and explicit invalidation ({@link TieredCache#invalidateAll}); cache
 * fills never publish. It subscribes one listener and applies what other instances publish to its
 * in-process tiers. Register a bus on the engine builder ({@code invalidationBus(...)}); the Redis
 * implementation lives in personalization-cache.
 *
 * <p>Delivery is best effort and may be late, batched or duplicated; an implementation that may
 * have <em>lost</em> messages (for example after its subscription reconnected) must call
 * {@link Listener#onResync()} once it receives again, so that subscribers drop whatever might have
 * missed an invalidation. Implementations must not deliver an instance's own publications back to
 * it, must be thread-safe, and {@link #publish} must not block on I/O.
 */
public interface InvalidationBus extends AutoCloseable {

  /**
   * Publishes changes made by this instance. Never blocks and never throws for transport
   * failures: an implementation that cannot reach its transport keeps (a bounded number of) them
   * and sends them later, or makes subscribers resync.
   */
  void publish(Collection<Invalidation> invalidations);

  /**
   * Registers the listener for other instances' changes; a bus serves one listener (one
   * {@link TieredCache}).
   *
   * @throws IllegalStateException if a listener is already registered
   */
  void subscribe(Listener listener);

  /** Stops publishing and receiving; the default does nothing. */
  @Override
  default void close() {
  }

  /** A bus that carries nothing: the default for an engine that runs alone. */
  static InvalidationBus none() {
    return NoInvalidationBus.INSTANCE;
  }

  /**
   * Receives other instances' changes. Called on the bus's own threads, possibly concurrently with
   * requests; implementations must be quick and must not throw (a throwing listener is logged by
   * well-behaved buses and otherwise ignored).
   */
  interface Listener {

    /** Other instances wrote or removed these keys. */
    void onInvalidations(List<Invalidation> invalidations);

    /**
     * Changes may have been lost (for example while the subscription was reconnecting): drop or
     * revalidate everything that might be stale.
     */
    void onResync();
  }
}

/** {@link InvalidationBus#none()}. */
enum NoInvalidationBus implements InvalidationBus {
  INSTANCE;

  @Override
  public void publish(Collection<Invalidation> invalidations) {
    Objects.requireNonNull(invalidations, "invalidations");
  }

  @Override
  public void subscribe(Listener listener) {
    Objects.requireNonNull(listener, "listener");
  }

  @Override
  public String toString() {
    return "InvalidationBus.none()";
  }
}
