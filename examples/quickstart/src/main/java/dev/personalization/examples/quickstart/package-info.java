/**
 * The quickstart demo: {@link dev.personalization.examples.quickstart.QuickstartDemo} builds an
 * engine on embedded defaults, fills it from a reproducible synthetic shop and reports latency,
 * throughput, cache hit rate, errors, CPU and memory against the performance guide's targets.
 */
package dev.personalization.examples.quickstart;
