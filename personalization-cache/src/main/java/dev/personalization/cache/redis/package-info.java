/**
 * The shared (L2) {@link dev.personalization.cache.CacheTier} in Redis, on Lettuce, and the
 * {@link dev.personalization.cache.InvalidationBus} over Redis pub/sub that keeps other instances'
 * in-process tiers fresh.
 *
 * <p>{@link dev.personalization.cache.redis.RedisTier#builder()} is the entry point; it returns a
 * {@link dev.personalization.cache.redis.RedisCacheTier}. {@link dev.personalization.cache.redis.VectorCodec}
 * documents the byte layout of stored values. Everything else is package-private.
 */
package dev.personalization.cache.redis;
