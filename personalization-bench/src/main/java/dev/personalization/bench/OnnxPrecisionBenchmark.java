package dev.personalization.bench;

import dev.personalization.inference.OnnxPredictor;
import dev.personalization.inference.StandardRankingModel;
import dev.personalization.inference.StandardRankingModel.Variant;
import dev.personalization.model.FeatureRows;
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
 * Latency of one model call by precision and batch size on the shipped ranking model, single
 * thread. The trial setup also prints each variant's score deviation from FP32 over 10,000 sample
 * rows (scored in chunks of the benchmark's batch size, which matters for the dynamic variant).
 *
 * <pre>java -jar personalization-bench/target/benchmarks.jar OnnxPrecisionBenchmark -f 1 -wi 2 -w 1s -i 3 -r 2s</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OnnxPrecisionBenchmark {

  @Param({"FP32", "INT8_STATIC", "INT8_DYNAMIC"})
  public String variant;

  @Param({"1", "32", "200", "1024"})
  public int batch;

  private OnnxPredictor model;
  private FeatureRows rows;

  @Setup(Level.Trial)
  public void load() {
    List<String> columns = StandardRankingModel.shippedColumns();
    int w = columns.size();
    model = OnnxPredictor.standardRankingModel(columns, Variant.valueOf(variant));
    rows = new FeatureRows(StandardRankingModel.sampleRows(columns, batch, 7), batch, w);
    if (!variant.equals("FP32")) {
      int n = 10_000;
      float[] sample = StandardRankingModel.sampleRows(columns, n, 20260604L);
      try (OnnxPredictor fp32 = OnnxPredictor.standardRankingModel(columns, Variant.FP32)) {
        double max = 0;
        double sum = 0;
        for (int from = 0; from < n; from += batch) {
          int count = Math.min(batch, n - from);
          float[] part = java.util.Arrays.copyOfRange(sample, from * w, (from + count) * w);
          float[] a = fp32.predict(new FeatureRows(part, count, w)).join();
          float[] b = model.predict(new FeatureRows(part, count, w)).join();
          for (int i = 0; i < count; i++) {
            double d = Math.abs(a[i] - b[i]);
            max = Math.max(max, d);
            sum += d;
          }
        }
        System.out.printf("%n[deviation] %s batch %d vs FP32 over %d rows: max %.5f, mean %.5f%n",
            variant, batch, n, max, sum / n);
      }
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    model.close();
  }

  @Benchmark
  public float[] score() {
    return model.predict(rows).join();
  }
}
