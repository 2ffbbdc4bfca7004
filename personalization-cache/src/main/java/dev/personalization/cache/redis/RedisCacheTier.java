package dev.personalization.cache.redis;

import dev.personalization.cache.CacheTier;
import dev.personalization.cache.InvalidationBus;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * The shared (L2) {@link CacheTier} in Redis that {@link RedisTier.Builder#build()} returns; see
 * {@link RedisTier} for its behaviour. Thread-safe.
 */
public interface RedisCacheTier extends CacheTier {

  /**
   * The invalidation bus on this tier's Redis: register it on the engine builder
   * ({@code invalidationBus(tier.invalidationBus())}) so that engines sharing this Redis drop each
   * other's stale in-process entries. It shares the tier's client, opens one pub/sub connection
   * when subscribed, and is closed with the tier. Every call returns the same bus.
   */
  InvalidationBus invalidationBus();

  /** The state of the tier's circuit breaker: {@code OPEN} while calls skip Redis. */
  CircuitBreaker.State breakerState();
}
