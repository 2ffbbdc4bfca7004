package dev.personalization.bench.jmh;

import dev.personalization.PersonalizationEngine;
import dev.personalization.RecommendationRequest;
import dev.personalization.Recommendations;
import dev.personalization.bench.load.LoadRequest;
import dev.personalization.bench.load.RequestSource;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code recommendNow} end to end on the default engine (Caffeine L1, in-memory store, logistic
 * model, 200 candidates) per scenario, with Zipf-skewed users from the synthetic shop. Sample-time
 * mode, so JMH reports percentiles as well as the mean. One request at a time: latency, not
 * throughput (that is the load tester's job).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class ScenarioRecommendBenchmark {

  @Param({"homepage", "search", "category"})
  public String scenario;

  private PersonalizationEngine engine;
  private RecommendationRequest[] requests;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    BenchFixture fixture = new BenchFixture();
    engine = fixture.engine();
    RequestSource source = fixture.workload.requests(0);
    List<RecommendationRequest> pool = new ArrayList<>();
    while (pool.size() < 4096) {
      LoadRequest r = source.next();
      if (r.scenario().name().equals(scenario)) {
        pool.add(r.toEngineRequest());
      }
    }
    requests = pool.toArray(RecommendationRequest[]::new);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    engine.close();
  }

  @Benchmark
  public Recommendations recommend() {
    RecommendationRequest r = requests[next];
    next = next + 1 == requests.length ? 0 : next + 1;
    return engine.recommendNow(r);
  }
}
