package dev.personalization.cache.redis;

import dev.personalization.cache.CacheEntry;
import dev.personalization.cache.InvalidationBus;
import dev.personalization.cache.StableHash;
import dev.personalization.feature.FeatureVector;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** The tier {@link RedisTier.Builder#build()} returns; see {@link RedisTier} for its behaviour. */
final class LettuceCacheTier implements RedisCacheTier {

  static final System.Logger LOG = System.getLogger(LettuceCacheTier.class.getName());

  /**
   * Writes each key only if it holds no value of a larger version: KEYS are the keys, ARGV holds
   * (encoded value, TTL in ms) per key. The version is compared bytewise at the codec's fixed
   * offset (bytes 3..10, big-endian, non-negative, so byte order is numeric order) and only when
   * the stored value has this codec's format; anything else, including a value of another Redis
   * type, is overwritten. Returns the number of keys written.
   */
  static final String PUT_IF_NOT_OLDER = """
      local written = 0
      for i = 1, #KEYS do
        local new = ARGV[2 * i - 1]
        local cur = redis.pcall('GET', KEYS[i])
        local older = false
        if type(cur) == 'string' and string.len(cur) >= 10 and string.byte(cur, 1) == string.byte(new, 1) then
          for j = 3, 10 do
            local a, b = string.byte(new, j), string.byte(cur, j)
            if a ~= b then
              older = a < b
              break
            end
          end
        end
        if not older then
          redis.call('SET', KEYS[i], new, 'PX', ARGV[2 * i])
          written = written + 1
        end
      end
      return written
      """;

  /** Sets every key to ARGV[1] (the tombstone) with PX ARGV[2]. Returns the number of keys. */
  static final String REMOVE = """
      for i = 1, #KEYS do
        redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2])
      end
      return #KEYS
      """;

  /** Timeout of the invalidation bus's commands (at least the command timeout). */
  static final Duration BUS_TIMEOUT = Duration.ofMillis(250);

  /** Keys per script call: bounds how long one call holds Redis. */
  static final int MAX_KEYS_PER_SCRIPT = 256;

  private final String name;
  private final String namespace;
  private final byte[] prefix;
  private final Endpoint endpoint;
  private final ClientResources ownedResources;
  private final long timeoutNanos;
  private final Duration connectTimeout;
  private final int maxValueBytes;
  private final CircuitBreaker breaker;
  private final ScheduledThreadPoolExecutor timer;
  /** Where returned futures complete; see {@link RedisTier.Builder#callbackExecutor}. */
  private final Executor callbacks;
  /** {@link #callbacks} when the tier made it, to shut down with the tier; null for a host's. */
  private final ExecutorService ownedCallbacks;
  private final Duration invalidationWindow;
  private final int maxPendingInvalidations;
  private final String scriptSha;
  private final String removeSha;
  private final byte[] removalGraceMillis;
  private volatile Endpoint.Connection connection;
  private final AtomicBoolean connecting = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private RedisInvalidationBus bus;

  private final Counter ok;
  private final Counter errors;
  private final Counter timeouts;
  private final Counter rejected;
  private final Counter corrupt;
  private final Counter oversize;
  private final Counter repairsDropped;
  /** Keys whose write or removal failed, to be tombstoned once Redis answers; guarded by itself. */
  private final LinkedHashSet<String> repairs = new LinkedHashSet<>();
  private boolean repairScheduled;

  LettuceCacheTier(RedisTier.Builder b, Endpoint endpoint, ClientResources ownedResources, MeterRegistry registry) {
    this.name = b.name;
    this.namespace = b.namespace;
    this.prefix = (b.namespace + ':').getBytes(StandardCharsets.UTF_8);
    this.endpoint = endpoint;
    this.ownedResources = ownedResources;
    this.timeoutNanos = b.commandTimeout.toNanos();
    this.connectTimeout = b.connectTimeout;
    this.maxValueBytes = b.maxValueBytes;
    this.invalidationWindow = b.invalidationWindow;
    this.maxPendingInvalidations = b.maxPendingInvalidations;
    this.breaker = CircuitBreaker.of("redis-" + name, b.circuitBreakerConfig());
    this.scriptSha = sha1Hex(PUT_IF_NOT_OLDER);
    this.removeSha = sha1Hex(REMOVE);
    this.removalGraceMillis = Long.toString(b.removalGrace.toMillis()).getBytes(StandardCharsets.US_ASCII);
    this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("timer"));
    timer.setRemoveOnCancelPolicy(true);
    if (b.callbackExecutor != null) {
      Executor host = b.callbackExecutor;
      // A host executor that rejects (shut down first, or saturated) must not leave a caller's
      // future to fail: the completion then runs where it was rejected, as with the tier's own.
      this.callbacks = task -> {
        try {
          host.execute(task);
        } catch (RejectedExecutionException e) {
          task.run();
        }
      };
      this.ownedCallbacks = null;
    } else {
      int threads = Runtime.getRuntime().availableProcessors();
      // Unbounded queue, yet bounded in practice: one task per finished call, and calls in flight
      // are bounded by Lettuce's request queue. A rejection (only after close) runs the task
      // where it was rejected, so that no caller's future is left incomplete.
      this.ownedCallbacks = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
          daemonThreads("callback"), (task, executor) -> task.run());
      this.callbacks = ownedCallbacks;
    }
    ok = commandCounter(registry, "ok");
    errors = commandCounter(registry, "error");
    timeouts = commandCounter(registry, "timeout");
    rejected = commandCounter(registry, "rejected");
    corrupt = Counter.builder("personalization.redis.values.corrupt")
        .description("Values that failed to decode; each was counted as a miss and deleted").tag("tier", name).register(registry);
    oversize = Counter.builder("personalization.redis.values.oversize")
        .description("Values not written because they exceed the size limit").tag("tier", name).register(registry);
    repairsDropped = Counter.builder("personalization.redis.repairs.dropped")
        .description("Keys whose failed write or removal could not be queued for repair (queue full)").tag("tier", name)
        .register(registry);
    Gauge.builder("personalization.redis.breaker.state", breaker, LettuceCacheTier::stateCode)
        .description("Circuit breaker state: 0 closed, 1 open, 2 half-open, 3 other").tag("tier", name).register(registry);
  }

  /** Daemon threads named {@code personalization-redis-<tier>-<role>-<n>}. */
  private ThreadFactory daemonThreads(String role) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "personalization-redis-" + name + "-" + role + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private Counter commandCounter(MeterRegistry registry, String result) {
    return Counter.builder("personalization.redis.commands")
        .description("Redis calls by result: ok, error, timeout, rejected (breaker open or not connected)")
        .tags("tier", name, "result", result).register(registry);
  }

  private static double stateCode(CircuitBreaker b) {
    return switch (b.getState()) {
      case CLOSED -> 0;
      case OPEN, FORCED_OPEN -> 1;
      case HALF_OPEN -> 2;
      default -> 3;
    };
  }

  /** Connects, waiting up to the connect timeout; on failure keeps trying in the background. */
  void start() {
    try {
      connectNow().get(connectTimeout.toMillis() + 500, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "redis tier '" + name + "' could not connect to " + endpoint
          + " yet; it skips Redis and keeps trying: " + causes(e));
    }
  }

  private CompletableFuture<Void> connectNow() {
    if (closed.get() || connection != null || !connecting.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(null);
    }
    return endpoint.connect().handle((c, e) -> {
      connecting.set(false);
      if (e != null) {
        if (!closed.get()) {
          timer.schedule(this::connectNow, 1, TimeUnit.SECONDS);
        }
        throw new CompletionException(e);
      }
      if (closed.get()) {
        c.stateful().closeAsync();
        return null;
      }
      // Lettuce reconnects this connection by itself from now on.
      connection = c;
      return c;
    }).thenCompose(c -> c == null ? CompletableFuture.completedFuture(null)
        // Loads the write script (which also warms the connection up) under the connect timeout,
        // not the tight command timeout; after a Redis restart, writes fall back to EVAL.
        : c.commands().scriptLoad(PUT_IF_NOT_OLDER).toCompletableFuture()
            .thenCompose(sha -> c.commands().scriptLoad(REMOVE).toCompletableFuture())
            .orTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .handle((sha, e) -> {
              if (e != null) {
                LOG.log(System.Logger.Level.DEBUG, () -> "SCRIPT LOAD failed, writes will use EVAL: " + e);
              }
              return null;
            }));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CircuitBreaker.State breakerState() {
    return breaker.getState();
  }

  // --- reads -------------------------------------------------------------------------------------

  /**
   * One MGET for all keys (per slot in a cluster, all sent at once); a failed or skipped call is an
   * all-miss. The reply is decoded as Lettuce parses it ({@link MgetVectorsOutput}): each value goes
   * from the receive buffer straight into a vector in the result map.
   */
  @Override
  public CompletableFuture<Map<String, FeatureVector>> getAll(Collection<String> keys) {
    Objects.requireNonNull(keys, "keys");
    if (keys.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    // Not deduplicated: a repeated key is asked for twice and lands once in the result map, which
    // costs less than building a set of every request (TieredCache passes a set anyway).
    String[] asked = keys.toArray(String[]::new);
    int n = asked.length;
    byte[][] utf8 = new byte[n][];
    int[] schemaIds = new int[n];
    for (int i = 0; i < n; i++) {
      utf8[i] = asked[i].getBytes(StandardCharsets.UTF_8);
      // The same bytes give the key its schema id (StableHash of the UTF-8 form) and its Redis name.
      schemaIds[i] = (int) StableHash.of(utf8[i]);
    }
    if (!endpoint.isCluster()) {
      return mget(asked, schemaIds, utf8, null);
    }
    // A cluster answers an MGET only for keys of one slot: one MGET per slot, all in flight at once.
    Map<Integer, int[]> bySlot = slotGroups(utf8);
    if (bySlot.size() == 1) {
      return mget(asked, schemaIds, utf8, null);
    }
    List<CompletableFuture<Map<String, FeatureVector>>> parts = new ArrayList<>(bySlot.size());
    for (int[] indexes : bySlot.values()) {
      parts.add(mget(asked, schemaIds, utf8, indexes));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture<?>[]::new)).thenApply(v -> {
      Map<String, FeatureVector> found = new HashMap<>(n * 4 / 3 + 1);
      for (CompletableFuture<Map<String, FeatureVector>> p : parts) {
        found.putAll(p.join());
      }
      return found;
    });
  }

  /** The indexes of the keys grouped by the cluster slot of their Redis name, each group in request order. */
  private Map<Integer, int[]> slotGroups(byte[][] utf8Keys) {
    int[] slots = new int[utf8Keys.length];
    Map<Integer, Integer> sizes = new LinkedHashMap<>();
    for (int i = 0; i < utf8Keys.length; i++) {
      slots[i] = SlotHash.getSlot(prefixed(utf8Keys[i]));
      sizes.merge(slots[i], 1, Integer::sum);
    }
    Map<Integer, int[]> groups = new LinkedHashMap<>();
    Map<Integer, Integer> filled = new HashMap<>();
    sizes.forEach((slot, size) -> groups.put(slot, new int[size]));
    for (int i = 0; i < utf8Keys.length; i++) {
      int at = filled.merge(slots[i], 1, Integer::sum) - 1;
      groups.get(slots[i])[at] = i;
    }
    return groups;
  }

  /**
   * One MGET of the keys at {@code indexes} (all when null); completes with the vectors found, or
   * an empty map if the call failed or was skipped. Corrupt values are counted and deleted.
   */
  private CompletableFuture<Map<String, FeatureVector>> mget(String[] keys, int[] schemaIds, byte[][] utf8Keys, int[] indexes) {
    MgetArgs args = new MgetArgs(prefix, utf8Keys, indexes);
    MgetVectorsOutput output = new MgetVectorsOutput(keys, schemaIds, indexes, maxValueBytes);
    return call(c -> c.dispatch(CommandType.MGET, output, args)).handle((found, error) -> {
      if (error != null) {
        return Map.<String, FeatureVector>of();
      }
      int[] bad = output.corrupt();
      if (bad.length > 0) {
        // By key: a key asked for twice fails twice but is one corrupt value.
        Map<String, byte[]> delete = new LinkedHashMap<>();
        for (int i : bad) {
          delete.putIfAbsent(keys[i], prefixed(utf8Keys[i]));
        }
        corrupt.increment(delete.size());
        byte[][] unlink = delete.values().toArray(byte[][]::new);
        call(c -> c.unlink(unlink));
      }
      return found;
    });
  }

  // --- writes ------------------------------------------------------------------------------------

  /**
   * Writes every entry through the version-checking script: one call for the whole batch (one per
   * slot in a cluster, at most {@value #MAX_KEYS_PER_SCRIPT} keys each), all sent without waiting
   * for each other. Completes exceptionally if a call fails or is skipped.
   */
  @Override
  public CompletableFuture<Void> putAll(Collection<CacheEntry> entries) {
    Objects.requireNonNull(entries, "entries");
    if (entries.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    // Within one batch the larger version of a key wins, as between batches.
    Map<String, CacheEntry> newest = new LinkedHashMap<>(entries.size() * 2);
    for (CacheEntry e : entries) {
      newest.merge(e.key(), e, (a, b) -> a.value().version() > b.value().version() ? a : b);
    }
    Map<Integer, List<byte[][]>> bySlot = new LinkedHashMap<>();
    for (CacheEntry e : newest.values()) {
      if (VectorCodec.encodedSize(e.value()) > maxValueBytes) {
        oversize.increment();
        continue;
      }
      byte[] key = redisKey(e.key());
      byte[] value = VectorCodec.encode(e.key(), e.value());
      byte[] ttl = Long.toString(Math.max(1, e.ttl().toMillis())).getBytes(StandardCharsets.US_ASCII);
      int slot = endpoint.isCluster() ? SlotHash.getSlot(key) : 0;
      bySlot.computeIfAbsent(slot, s -> new ArrayList<>()).add(new byte[][] {key, value, ttl});
    }
    List<CompletableFuture<Long>> calls = new ArrayList<>();
    for (List<byte[][]> group : bySlot.values()) {
      for (int from = 0; from < group.size(); from += MAX_KEYS_PER_SCRIPT) {
        calls.add(runPutScript(group.subList(from, Math.min(group.size(), from + MAX_KEYS_PER_SCRIPT))));
      }
    }
    Collection<String> written = newest.keySet();
    return CompletableFuture.allOf(calls.toArray(CompletableFuture<?>[]::new)).whenComplete((v, e) -> {
      if (e != null) {
        needsRepair(written);
      }
    });
  }

  /**
   * Remembers keys whose write or removal failed or was skipped: Redis may hold an older value for
   * them. Every 200 ms, outside the breaker, they are replaced by tombstones (which expire after
   * the removal grace), so that Redis does not serve that value until its TTL. A failed fill is
   * repaired the same way, at the cost of a miss. At most the pending-invalidation bound of keys
   * wait; beyond it they are counted and dropped.
   */
  private void needsRepair(Collection<String> keys) {
    synchronized (repairs) {
      for (String k : keys) {
        if (repairs.size() >= maxPendingInvalidations && !repairs.contains(k)) {
          repairsDropped.increment();
        } else {
          repairs.add(k);
        }
      }
      if (!repairScheduled && !closed.get()) {
        repairScheduled = true;
        try {
          timer.schedule(this::repair, 200, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
          repairScheduled = false;
        }
      }
    }
  }

  private void repair() {
    List<String> keys;
    synchronized (repairs) {
      repairScheduled = false;
      keys = new ArrayList<>(repairs);
      repairs.clear();
    }
    if (!keys.isEmpty()) {
      tombstone(keys, false).whenComplete((v, e) -> {
        if (e != null) {
          needsRepair(keys);
        }
      });
    }
  }

  private CompletableFuture<Long> runPutScript(List<byte[][]> batch) {
    byte[][] keys = new byte[batch.size()][];
    byte[][] args = new byte[batch.size() * 2][];
    for (int i = 0; i < batch.size(); i++) {
      keys[i] = batch.get(i)[0];
      args[2 * i] = batch.get(i)[1];
      args[2 * i + 1] = batch.get(i)[2];
    }
    return runScript(PUT_IF_NOT_OLDER, scriptSha, keys, args, true);
  }

  private CompletableFuture<Long> runScript(String script, String sha, byte[][] keys, byte[][] args, boolean guarded) {
    long t = guarded ? timeoutNanos : Math.max(timeoutNanos, BUS_TIMEOUT.toNanos());
    return this.<Long>call(c -> c.evalsha(sha, ScriptOutputType.INTEGER, keys, args), t, guarded)
        .exceptionallyCompose(e -> {
          // After a Redis restart the script cache is empty: EVAL sends the body and caches it again.
          if (unwrap(e) instanceof RedisNoScriptException) {
            return this.<Long>call(c -> c.eval(script, ScriptOutputType.INTEGER, keys, args), t, guarded);
          }
          return CompletableFuture.failedFuture(e);
        });
  }

  /**
   * Replaces the keys by tombstones that live for the removal grace (one script call, per slot in a
   * cluster): a fill that read the store before this removal and lands after it is rejected by the
   * version-checking write, instead of bringing the old value back until its TTL.
   */
  @Override
  public CompletableFuture<Void> invalidateAll(Collection<String> keys) {
    return tombstone(keys, true).whenComplete((v, e) -> {
      if (e != null) {
        needsRepair(keys);
      }
    });
  }

  /** {@link #invalidateAll}, guarded by the breaker or (for the bus) not. */
  CompletableFuture<Void> tombstone(Collection<String> keys, boolean guarded) {
    Objects.requireNonNull(keys, "keys");
    if (keys.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    Map<Integer, List<byte[]>> bySlot = new LinkedHashMap<>();
    for (String k : new LinkedHashSet<>(keys)) {
      byte[] key = redisKey(k);
      bySlot.computeIfAbsent(endpoint.isCluster() ? SlotHash.getSlot(key) : 0, s -> new ArrayList<>()).add(key);
    }
    byte[][] args = {VectorCodec.tombstone(), removalGraceMillis};
    List<CompletableFuture<Long>> calls = new ArrayList<>();
    for (List<byte[]> group : bySlot.values()) {
      for (int from = 0; from < group.size(); from += MAX_KEYS_PER_SCRIPT) {
        byte[][] batch = group.subList(from, Math.min(group.size(), from + MAX_KEYS_PER_SCRIPT)).toArray(byte[][]::new);
        calls.add(runScript(REMOVE, removeSha, batch, args, guarded));
      }
    }
    return CompletableFuture.allOf(calls.toArray(CompletableFuture<?>[]::new));
  }

  // --- the guarded call --------------------------------------------------------------------------

  /**
   * Runs one command under the circuit breaker and the tier's own deadline. Skipped at once (failed
   * with {@link RedisUnavailableException}) when not connected or while the breaker is open; failed
   * with a {@link TimeoutException} when Redis does not answer within the command timeout. Lettuce's
   * own command timeout is only a backstop: it fires on a coarse timer wheel.
   */
  <T> CompletableFuture<T> call(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
    return call(command, timeoutNanos, true);
  }

  /**
   * Runs one command for the invalidation bus: with the lenient {@link #BUS_TIMEOUT} and outside
   * the circuit breaker, which protects the request path. Delivering invalidations is not on that
   * path, matters more than a cache hit, and must not wait for the breaker to close; when Redis is
   * down the command still fails at once (commands are rejected while disconnected).
   */
  <T> CompletableFuture<T> busCall(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
    return call(command, Math.max(timeoutNanos, BUS_TIMEOUT.toNanos()), false);
  }

  private <T> CompletableFuture<T> call(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command,
      long callTimeoutNanos, boolean guarded) {
    Endpoint.Connection c = connection;
    if (c == null || closed.get()) {
      // Not connected yet: the background attempts (one per second) connect; calls do not.
      rejected.increment();
      return CompletableFuture.failedFuture(new RedisUnavailableException(name, closed.get() ? "closed" : "not connected"));
    }
    if (guarded && !breaker.tryAcquirePermission()) {
      rejected.increment();
      return CompletableFuture.failedFuture(new RedisUnavailableException(name, "circuit breaker is " + breaker.getState()));
    }
    long start = System.nanoTime();
    RedisFuture<T> sent;
    try {
      sent = command.apply(c.commands());
    } catch (RuntimeException e) {
      if (guarded) {
        breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
      }
      errors.increment();
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    ScheduledFuture<?> deadline = timer.schedule(() -> {
      if (result.completeExceptionally(new TimeoutException("redis tier '" + name + "': no answer within "
          + Duration.ofNanos(callTimeoutNanos).toMillis() + " ms"))) {
        sent.cancel(false);
      }
    }, callTimeoutNanos, TimeUnit.NANOSECONDS);
    sent.whenComplete((v, e) -> {
      deadline.cancel(false);
      if (e == null) {
        result.complete(v);
      } else {
        result.completeExceptionally(e);
      }
    });
    CompletableFuture<T> counted = result.whenComplete((v, e) -> {
      long elapsed = System.nanoTime() - start;
      if (e == null) {
        if (guarded) {
          breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
        }
        ok.increment();
      } else {
        if (guarded) {
          breaker.onError(elapsed, TimeUnit.NANOSECONDS, e);
        }
        if (unwrap(e) instanceof TimeoutException) {
          timeouts.increment();
        } else {
          errors.increment();
        }
      }
    });
    // Counted where the answer arrived (so queueing below does not count as Redis time), then
    // handed to the callback executor: whatever the caller chains runs there, not on Lettuce's
    // I/O thread or on the timer. whenCompleteAsync hands off failures too (thenApplyAsync would
    // complete a failure on the spot).
    return counted.whenCompleteAsync(LettuceCacheTier::handOff, callbacks);
  }

  /** The no-op whose only purpose is to run on the callback executor. */
  private static void handOff(Object value, Throwable error) {
  }

  /** The messages of an exception and its causes, for one log line. */
  static String causes(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null && sb.length() < 2_000; t = t.getCause() == t ? null : t.getCause()) {
      if (!(t instanceof CompletionException) && !(t instanceof java.util.concurrent.ExecutionException)) {
        sb.append(sb.length() == 0 ? "" : " <- ").append(t);
      }
    }
    return sb.toString();
  }

  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  byte[] redisKey(String key) {
    return prefixed(key.getBytes(StandardCharsets.UTF_8));
  }

  private byte[] prefixed(byte[] k) {
    byte[] out = new byte[prefix.length + k.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(k, 0, out, prefix.length, k.length);
    return out;
  }

  /** The cache key of a Redis key of this tier, or null if it lacks the prefix. */
  String cacheKey(byte[] redisKey) {
    if (redisKey.length < prefix.length) {
      return null;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (redisKey[i] != prefix[i]) {
        return null;
      }
    }
    return new String(redisKey, prefix.length, redisKey.length - prefix.length, StandardCharsets.UTF_8);
  }

  String namespace() {
    return namespace;
  }

  Endpoint endpoint() {
    return endpoint;
  }

  ScheduledThreadPoolExecutor timer() {
    return timer;
  }

  Duration invalidationWindow() {
    return invalidationWindow;
  }

  int maxPendingInvalidations() {
    return maxPendingInvalidations;
  }

  boolean isClosed() {
    return closed.get();
  }

  @Override
  public synchronized InvalidationBus invalidationBus() {
    if (bus == null) {
      bus = new RedisInvalidationBus(this);
    }
    return bus;
  }

  /** Closes the bus, the connection and the client; a second call does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RedisInvalidationBus b;
    synchronized (this) {
      b = bus;
    }
    if (b != null) {
      b.close();
    }
    Endpoint.Connection c = connection;
    if (c != null) {
      c.stateful().close();
    }
    timer.shutdownNow();
    if (ownedCallbacks != null) {
      // Not shutdownNow: completions already queued still reach their callers.
      ownedCallbacks.shutdown();
    }
    endpoint.client().shutdown(Duration.ZERO, Duration.ofSeconds(2));
    if (ownedResources != null) {
      ownedResources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return "RedisTier{name=" + name + ", namespace=" + namespace + ", endpoint=" + endpoint + "}";
  }

  private static String sha1Hex(String script) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(40);
      for (byte x : d) {
        sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
      }
      return sb.toString();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
  }
}
