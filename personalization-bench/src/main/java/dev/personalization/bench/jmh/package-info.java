/**
 * JMH benchmarks of the engine's hot paths that exist today: L1 hits (tiered cache against raw
 * Caffeine), row assembly and scoring, {@code recommend} per scenario, and a P99 budget of the
 * request path's stages ({@link dev.personalization.bench.jmh.P99BudgetBenchmark}). They read some
 * engine internals ({@code dev.personalization.internal}), which may change with the engine.
 *
 * <pre>
 * mvn -B -q -DskipTests -pl personalization-bench -am package
 * java -jar personalization-bench/target/benchmarks.jar 'dev\.personalization\.bench\.jmh\..*'
 * java -cp personalization-bench/target/benchmarks.jar dev.personalization.bench.jmh.P99BudgetBenchmark
 * </pre>
 */
package dev.personalization.bench.jmh;
