package dev.personalization.bench;

import dev.personalization.cache.redis.RedisCacheTier;
import dev.personalization.cache.redis.RedisTier;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where a Redis tier read spends its time, by thread: for single-key reads and 200-key reads of the
 * same 32-float vectors as {@link RedisTierBenchmark}, in alternating rounds, the wall time, the
 * CPU time of Lettuce's threads (event loop: encoding, reply parsing, decoding) and of the calling
 * thread per read, and Redis's own time per MGET from {@code INFO commandstats}. It explains the
 * benchmark's ratio rather than replacing it: the first rounds include compilation.
 *
 * <pre>
 * java -cp personalization-bench/target/benchmarks.jar dev.personalization.bench.RedisCallCost [rounds]
 * </pre>
 */
public final class RedisCallCost {

  private static final int KEYS = RedisTierBenchmark.KEYS;
  private static final int BATCH = RedisTierBenchmark.BATCH;
  private static final int READS_PER_ROUND = 4_000;

  private RedisCallCost() {
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (LocalRedisServer server = LocalRedisServer.start();
        RedisCacheTier tier = RedisTier.builder().uri(server.uri()).namespace("bench").commandTimeout(Duration.ofSeconds(1)).build()) {
      List<String> keys = RedisTierBenchmark.seed(tier);
      RedisClient adminClient = RedisClient.create(server.uri());
      try (StatefulRedisConnection<String, String> admin = adminClient.connect()) {
        System.out.println("round  one key: wall  event loop  caller   |  200 keys: wall  event loop  caller  redis/MGET   (µs per read)");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int round = 1; round <= rounds; round++) {
          long[] one = measure(threads, () -> tier.getAll(List.of(keys.get(random.nextInt(KEYS)))).join());
          admin.sync().configResetstat();
          long[] many = measure(threads, () -> {
            int start = random.nextInt(KEYS - BATCH);
            tier.getAll(keys.subList(start, start + BATCH)).join();
          });
          System.out.printf("%5d  %14.1f  %10.1f  %6.1f   |  %15.1f  %10.1f  %6.1f  %10.1f%n", round,
              perRead(one[0]), perRead(one[1]), perRead(one[2]),
              perRead(many[0]), perRead(many[1]), perRead(many[2]), mgetMicros(admin.sync().info("commandstats")));
        }
      } finally {
        adminClient.shutdown();
      }
    }
  }

  /** Wall, Lettuce-thread CPU and caller CPU nanoseconds over one round of reads. */
  private static long[] measure(ThreadMXBean threads, Runnable read) {
    long wall = System.nanoTime();
    long lettuce = lettuceCpu(threads);
    long caller = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < READS_PER_ROUND; i++) {
      read.run();
    }
    return new long[] {System.nanoTime() - wall, lettuceCpu(threads) - lettuce, threads.getCurrentThreadCpuTime() - caller};
  }

  private static long lettuceCpu(ThreadMXBean threads) {
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("lettuce-")) {
        total += Math.max(0, threads.getThreadCpuTime(t.getId()));
      }
    }
    return total;
  }

  private static double perRead(long nanos) {
    return nanos / 1e3 / READS_PER_ROUND;
  }

  /** {@code usec_per_call} of MGET from an {@code INFO commandstats} reply; NaN when absent. */
  private static double mgetMicros(String commandstats) {
    for (String line : commandstats.split("\r?\n")) {
      if (line.startsWith("cmdstat_mget:")) {
        for (String field : line.substring("cmdstat_mget:".length()).split(",")) {
          if (field.startsWith("usec_per_call=")) {
            return Double.parseDouble(field.substring("usec_per_call=".length()));
          }
        }
      }
    }
    return Double.NaN;
  }
}
