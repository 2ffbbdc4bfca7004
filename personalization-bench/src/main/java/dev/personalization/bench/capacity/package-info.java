/**
 * Capacity planning from measured figures: {@link dev.personalization.bench.capacity.CapacityPlanner}
 * turns CPU-seconds per request and bytes per cached user into cores, memory and instances, and
 * {@link dev.personalization.bench.capacity.HeapPerCachedUser} measures the bytes a cached user
 * costs in the Caffeine L1.
 */
package dev.personalization.bench.capacity;
