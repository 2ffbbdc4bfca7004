package dev.personalization.bench;

import dev.personalization.inference.OnnxPredictor;
import dev.personalization.inference.StandardRankingModel;
import dev.personalization.model.BatchingPredictor;
import dev.personalization.model.FeatureRows;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Direct ONNX Runtime calls against {@link BatchingPredictor} for closed-loop callers that each
 * score 200-row requests (the engine's default candidate count) on the shipped FP32 model. Run
 * with {@code -t 1}, {@code -t 8} and {@code -t 64} for the caller counts. Sample mode gives the
 * latency distribution (p0.99); throughput in requests/s is {@code threads / mean latency}.
 *
 * <pre>java -jar personalization-bench/target/benchmarks.jar BatchingOnnxBenchmark -t 64 -f 1 -wi 2 -w 2s -i 3 -r 3s</pre>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class BatchingOnnxBenchmark {

  /** One model, and one batcher in front of another instance of it. */
  @State(Scope.Benchmark)
  public static class Models {
    /** The batcher's cap on rows per call; its default unless {@code -p maxBatchRows=...}. */
    @Param({"" + BatchingPredictor.DEFAULT_MAX_BATCH_ROWS})
    public int maxBatchRows;

    /** Rows per request: 200, the engine's default candidate count, unless {@code -p rowsPerRequest=...}. */
    @Param({"200"})
    public int rowsPerRequest;

    List<String> columns;
    OnnxPredictor direct;
    BatchingPredictor batched;
    SimpleMeterRegistry registry;

    @Setup(Level.Trial)
    public void load() {
      columns = StandardRankingModel.shippedColumns();
      direct = OnnxPredictor.standardRankingModel(columns);
      registry = new SimpleMeterRegistry();
      batched = BatchingPredictor.builder(OnnxPredictor.standardRankingModel(columns))
          .maxBatchRows(maxBatchRows).minBatchRows(Math.min(maxBatchRows, BatchingPredictor.DEFAULT_MIN_BATCH_ROWS))
          .meterRegistry(registry).build();
    }

    @TearDown(Level.Trial)
    public void close() {
      var rows = registry.get("personalization.batcher.rows.per.call").summary();
      var model = registry.get("personalization.batcher.model.time").timer();
      if (rows.count() > 0) {
        // How the batcher coalesced (warm-up included): the figures behind the throughput.
        System.out.printf("%n[batcher] %d model calls, %.0f rows per call on average, %.1f µs per call%n",
            rows.count(), rows.mean(), model.mean(TimeUnit.MICROSECONDS));
      }
      direct.close();
      batched.close();
    }
  }

  /** Each caller's own request rows, as the engine's per-request buffer. */
  @State(Scope.Thread)
  public static class Request {
    FeatureRows rows;

    @Setup(Level.Trial)
    public void fill(Models models) {
      int w = models.columns.size();
      long seed = Thread.currentThread().getId();
      int n = models.rowsPerRequest;
      rows = new FeatureRows(StandardRankingModel.sampleRows(models.columns, n, seed), n, w);
    }
  }

  @Benchmark
  public float[] direct(Models models, Request request) {
    return models.direct.predict(request.rows).join();
  }

  @Benchmark
  public float[] batched(Models models, Request request) {
    return models.batched.predict(request.rows).join();
  }
}
