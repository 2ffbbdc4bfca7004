package dev.personalization.bench.jmh;

import dev.personalization.model.FeatureRows;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Building the model input for one request — 200 rows of the standard layout into a reused buffer —
 * and scoring it with the starter logistic model, for users with real (synthetic) histories.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class RowAssemblyBenchmark {

  private BenchFixture fixture;
  private List<BenchFixture.Rows> contexts;
  private float[] buffer;
  private int width;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    fixture = new BenchFixture();
    List<String> candidates = fixture.homepageCandidates();
    contexts = new ArrayList<>();
    for (int u = 0; u < 256; u++) {
      // Spread over the activity ranks: heavy users first, then the long tail.
      contexts.add(fixture.rows(u * u % BenchFixture.SPEC.users(), candidates));
    }
    width = fixture.assembler.columns().size();
    buffer = new float[candidates.size() * width];
  }

  private BenchFixture.Rows nextContext() {
    BenchFixture.Rows r = contexts.get(next);
    next = next + 1 == contexts.size() ? 0 : next + 1;
    return r;
  }

  @Benchmark
  public float[] assemble200Rows() {
    fixture.assembler.assemble(nextContext(), buffer);
    return buffer;
  }

  @Benchmark
  public float[] assembleAndScore200Rows() {
    BenchFixture.Rows r = nextContext();
    fixture.assembler.assemble(r, buffer);
    return fixture.predictor.predict(new FeatureRows(buffer, r.candidateCount(), width)).join();
  }
}
