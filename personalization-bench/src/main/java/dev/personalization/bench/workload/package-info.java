/**
 * A small, seeded synthetic shop for benchmarks and load tests: a catalog of items in categories,
 * users with Zipf-skewed activity, seed events to give them history, and a request stream across the
 * homepage, search and category scenarios. Everything is deterministic given the seed.
 */
package dev.personalization.bench.workload;
