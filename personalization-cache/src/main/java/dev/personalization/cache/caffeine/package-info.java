/**
 * The in-process (L1) {@link dev.personalization.cache.CacheTier} backed by
 * <a href="https://github.com/ben-manes/caffeine">Caffeine</a>.
 *
 * <p>{@link dev.personalization.cache.caffeine.CaffeineTier#builder()} is the only entry point; the
 * implementation behind it is package-private. Every entry keeps the TTL it was written with
 * (variable expiration), the tier is bounded by entry count or by approximate heap bytes, and a
 * write never replaces a value with a larger {@link dev.personalization.feature.FeatureVector#version()}.
 *
 * <p>This package is separate from {@code dev.personalization.cache} so that no package is split
 * between the core and cache jars.
 */
package dev.personalization.cache.caffeine;
