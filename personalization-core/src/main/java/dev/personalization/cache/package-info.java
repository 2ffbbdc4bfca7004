/**
 * Caching: the {@link dev.personalization.cache.CacheTier} SPI, the
 * {@link dev.personalization.cache.TieredCache} that composes tiers with stampede protection,
 * freshness classes with jittered TTLs, and stable versioned keys. Tier implementations live in
 * personalization-cache.
 */
package dev.personalization.cache;
