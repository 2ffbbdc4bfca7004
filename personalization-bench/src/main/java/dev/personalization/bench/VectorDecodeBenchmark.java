package dev.personalization.bench;

import dev.personalization.cache.redis.VectorCodec;
import dev.personalization.feature.FeatureVector;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The client's least work per 200-key Redis read, without Redis: decoding the 200 32-float vectors
 * of {@link RedisTierBenchmark} with {@link VectorCodec} from one direct buffer, as the tier reads
 * them from Lettuce's receive buffer, into a map by key. Every value and key stays in the CPU's
 * caches between calls, so this is a lower bound on what a real read's decoding costs.
 *
 * <pre>
 * java -jar personalization-bench/target/benchmarks.jar VectorDecodeBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class VectorDecodeBenchmark {

  private final String[] keys = new String[RedisTierBenchmark.BATCH];
  private final ByteBuffer[] values = new ByteBuffer[RedisTierBenchmark.BATCH];

  @Setup
  public void encode() {
    byte[][] encoded = new byte[keys.length][];
    int total = 0;
    for (int i = 0; i < keys.length; i++) {
      keys[i] = "pe:item:sku-" + i + ":item:v1";
      encoded[i] = VectorCodec.encode(keys[i], BenchVectors.vector(i));
      total += encoded[i].length;
    }
    ByteBuffer reply = ByteBuffer.allocateDirect(total);
    for (int i = 0; i < keys.length; i++) {
      int at = reply.position();
      reply.put(encoded[i]);
      values[i] = reply.duplicate().position(at).limit(reply.position());
    }
  }

  @Benchmark
  public Map<String, FeatureVector> decode200() {
    Map<String, FeatureVector> found = new HashMap<>(keys.length * 4 / 3 + 1);
    for (int i = 0; i < keys.length; i++) {
      found.put(keys[i], VectorCodec.decode(keys[i], values[i]));
    }
    return found;
  }
}
