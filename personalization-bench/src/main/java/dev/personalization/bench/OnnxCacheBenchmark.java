package dev.personalization.bench;

import dev.personalization.inference.OnnxPredictor;
import dev.personalization.inference.StandardRankingModel;
import dev.personalization.model.CachingPredictor;
import dev.personalization.model.FeatureRows;
import dev.personalization.model.Prediction;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The model-output cache's hit path against a model call, for one 200-row request on the shipped
 * FP32 model: {@code cacheHit} answers every row from the cache (hash, slot read, exact row
 * compare), {@code modelCall} runs ONNX Runtime.
 *
 * <pre>java -jar personalization-bench/target/benchmarks.jar OnnxCacheBenchmark -f 1 -wi 2 -w 2s -i 3 -r 3s</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OnnxCacheBenchmark {

  private static final Duration BUDGET = Duration.ofSeconds(10);

  private OnnxPredictor model;
  private CachingPredictor cache;
  private FeatureRows rows;

  @Setup(Level.Trial)
  public void load() {
    List<String> columns = StandardRankingModel.shippedColumns();
    model = OnnxPredictor.standardRankingModel(columns);
    cache = CachingPredictor.builder(OnnxPredictor.standardRankingModel(columns)).maximumRows(65_536).build();
    rows = new FeatureRows(StandardRankingModel.sampleRows(columns, 200, 5), 200, columns.size());
    cache.predictWithin(rows, BUDGET).join();
    cache.predictWithin(rows, BUDGET).join();
    if (cache.hitRatio() < 0.49) {
      throw new IllegalStateException("the second call should have hit: " + cache.hitRatio());
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    model.close();
    cache.close();
  }

  @Benchmark
  public Prediction cacheHit() {
    return cache.predictWithin(rows, BUDGET).join();
  }

  @Benchmark
  public float[] modelCall() {
    return model.predict(rows).join();
  }
}
