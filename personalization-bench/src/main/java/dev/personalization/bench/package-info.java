/**
 * JMH benchmarks of the engine's hot paths: {@link dev.personalization.bench.TieredCacheBenchmark}
 * (the cost of an L1 hit through the tiers) and {@link dev.personalization.bench.RecommendBenchmark}
 * ({@code recommendNow} end to end). Build with {@code mvn -B -q -DskipTests package -pl
 * personalization-bench -am} and run {@code java -jar personalization-bench/target/benchmarks.jar}.
 */
package dev.personalization.bench;
