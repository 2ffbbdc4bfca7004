package dev.personalization.bench;

import dev.personalization.cache.redis.RedisCacheTier;
import dev.personalization.cache.redis.RedisTier;
import dev.personalization.cache.redis.testing.LocalRedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where a Redis tier read spends its time, and how small the 200-key to one-key ratio could be at
 * all on this machine. For single-key reads and 200-key reads of the same 32-float vectors as
 * {@link RedisTierBenchmark}, in alternating rounds, it prints:
 *
 * <ul>
 *   <li>the tier's wall-time p50 per read, and the mean CPU time per read of Lettuce's threads
 *       (event loop: encoding, reply parsing, decoding), of the tier's callback threads (handing
 *       the answer to the caller) and of the calling thread;
 *   <li>Redis's own time per MGET, from {@code INFO commandstats};
 *   <li>the p50 of the same MGETs sent by a bare blocking socket that skips over the reply unread:
 *       Redis and the kernel with next to no client. Their difference is what 199 more keys cost
 *       before any client touches a byte, so {@code floor} = (tier one-key p50 + that difference) /
 *       tier one-key p50 is the ratio a client with free parsing and decoding would reach.
 * </ul>
 *
 * <p>It explains the benchmark's ratio rather than replacing it; the first rounds include
 * compilation.
 *
 * <pre>
 * java -cp personalization-bench/target/benchmarks.jar dev.personalization.bench.RedisCallCost [rounds]
 * </pre>
 */
public final class RedisCallCost {

  private static final int KEYS = RedisTierBenchmark.KEYS;
  private static final int BATCH = RedisTierBenchmark.BATCH;
  private static final int READS_PER_ROUND = 4_000;
  private static final String NAMESPACE = "bench";

  private RedisCallCost() {
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 12;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (LocalRedisServer server = LocalRedisServer.start();
        RedisCacheTier tier = RedisTier.builder().uri(server.uri()).namespace(NAMESPACE).commandTimeout(Duration.ofSeconds(1)).build();
        BareMget bare = new BareMget(server.port())) {
      List<String> keys = RedisTierBenchmark.seed(tier);
      RedisClient adminClient = RedisClient.create(server.uri());
      try (StatefulRedisConnection<String, String> admin = adminClient.connect()) {
        System.out.println("         tier, one key                     |  tier, 200 keys                                 |  bare socket     |  200 keys / one key");
        System.out.println("round  p50  event loop  callback  caller   |  p50  event loop  callback  caller  redis/MGET   |  1 key  200 keys |  tier  floor   (µs per read)");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int round = 1; round <= rounds; round++) {
          Round one = measure(threads, () -> tier.getAll(List.of(keys.get(random.nextInt(KEYS)))).join());
          admin.sync().configResetstat();
          Round many = measure(threads, () -> {
            int start = random.nextInt(KEYS - BATCH);
            tier.getAll(keys.subList(start, start + BATCH)).join();
          });
          double redisPerMget = mgetMicros(admin.sync().info("commandstats"));
          double bareOne = bare.p50(keys, 1);
          double bareMany = bare.p50(keys, BATCH);
          double floor = (one.p50 + bareMany - bareOne) / one.p50;
          System.out.printf("%5d  %4.0f  %10.1f  %8.1f  %6.1f   |  %4.0f  %10.1f  %8.1f  %6.1f  %10.1f   |  %5.0f  %8.0f |  %4.2f  %5.2f%n", round,
              one.p50, one.eventLoop, one.callback, one.caller, many.p50, many.eventLoop, many.callback, many.caller, redisPerMget,
              bareOne, bareMany, many.p50 / one.p50, floor);
        }
      } finally {
        adminClient.shutdown();
      }
    }
  }

  /** One round of tier reads: wall p50, and mean Lettuce, callback and caller CPU per read, in µs. */
  private record Round(double p50, double eventLoop, double callback, double caller) {
  }

  private static Round measure(ThreadMXBean threads, Runnable read) {
    long[] wall = new long[READS_PER_ROUND];
    long lettuce = cpu(threads, "lettuce-");
    long callback = cpu(threads, "personalization-redis-redis-callback-");
    long caller = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < READS_PER_ROUND; i++) {
      long start = System.nanoTime();
      read.run();
      wall[i] = System.nanoTime() - start;
    }
    return new Round(p50(wall), perRead(cpu(threads, "lettuce-") - lettuce),
        perRead(cpu(threads, "personalization-redis-redis-callback-") - callback), perRead(threads.getCurrentThreadCpuTime() - caller));
  }

  /** The CPU time so far of the live threads whose names start with {@code prefix}. */
  private static long cpu(ThreadMXBean threads, String prefix) {
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(prefix)) {
        total += Math.max(0, threads.getThreadCpuTime(t.getId()));
      }
    }
    return total;
  }

  private static double perRead(long nanos) {
    return nanos / 1e3 / READS_PER_ROUND;
  }

  private static double p50(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2] / 1e3;
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

  /**
   * MGETs over a plain blocking socket: the command is built before the clock starts, and the
   * reply is only walked (each value's length read, its bytes skipped), so the time is Redis's and
   * the kernel's with as little client as Java allows.
   */
  private static final class BareMget implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    BareMget(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    }

    /** The p50 in µs of {@value #READS_PER_ROUND} MGETs of {@code n} consecutive keys each. */
    double p50(List<String> keys, int n) throws IOException {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      long[] wall = new long[READS_PER_ROUND];
      for (int i = 0; i < READS_PER_ROUND; i++) {
        byte[] command = mget(keys, random.nextInt(KEYS - n), n);
        long start = System.nanoTime();
        out.write(command);
        out.flush();
        if (readNumber() != n) {
          throw new IllegalStateException("MGET of " + n + " keys answered with another count");
        }
        for (int k = 0; k < n; k++) {
          long length = readNumber();
          if (length < 0) {
            throw new IllegalStateException("a seeded key is missing from Redis");
          }
          in.skipNBytes(length + 2);
        }
        wall[i] = System.nanoTime() - start;
      }
      return RedisCallCost.p50(wall);
    }

    private static byte[] mget(List<String> keys, int from, int n) {
      ByteArrayOutputStream command = new ByteArrayOutputStream(64 * (n + 1));
      command.writeBytes(("*" + (n + 1) + "\r\n$4\r\nMGET\r\n").getBytes(StandardCharsets.US_ASCII));
      for (int k = 0; k < n; k++) {
        byte[] key = (NAMESPACE + ":" + keys.get(from + k)).getBytes(StandardCharsets.UTF_8);
        command.writeBytes(("$" + key.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        command.writeBytes(key);
        command.writeBytes(new byte[] {'\r', '\n'});
      }
      return command.toByteArray();
    }

    /** Reads a RESP header line ({@code *n}, {@code $n} or {@code $-1}) and returns its number. */
    private long readNumber() throws IOException {
      int type = in.read();
      if (type != '*' && type != '$') {
        throw new IllegalStateException("unexpected reply type " + (char) type);
      }
      long value = 0;
      boolean negative = false;
      for (int c = in.read(); c != '\r'; c = in.read()) {
        if (c == '-') {
          negative = true;
        } else {
          value = value * 10 + (c - '0');
        }
      }
      in.read();
      return negative ? -value : value;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
