package dev.personalization.cache.redis;

import dev.personalization.cache.CacheTier;
import dev.personalization.cache.TieredCache;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Builds the shared (L2) {@link CacheTier} in Redis, on one multiplexed
 * <a href="https://lettuce.io">Lettuce</a> connection.
 *
 * <pre>{@code
 * RedisCacheTier l2 = RedisTier.builder()
 *     .uri(RedisURI.create("rediss://:secret@redis.internal:6379"))  // AUTH + TLS ride on the URI
 *     .namespace("shop-prod")                    // every key and the channel start with it
 *     .commandTimeout(Duration.ofMillis(20))     // the default
 *     .meterRegistry(registry)
 *     .build();
 * PersonalizationEngine engine = PersonalizationEngine.builder()
 *     .addCacheTier(CaffeineTier.builder().build())   // L1
 *     .addCacheTier(l2)                                // L2
 *     .invalidationBus(l2.invalidationBus())           // cross-instance L1 invalidation
 *     .build();
 * }</pre>
 *
 * <p>Connect with {@link Builder#uri(RedisURI)} to one Redis or, with a Sentinel URI
 * ({@code RedisURI.Builder.sentinel(host, port, masterId)}), to the master Sentinel names; or with
 * {@link Builder#cluster(List)} to a Redis Cluster. Authentication ({@code redis://user:pass@host})
 * and TLS ({@code rediss://}, or {@code RedisURI.Builder.withSsl(true)}) are configured on the
 * {@link RedisURI}; the certificates to trust, when not the JVM's, with {@link Builder#sslOptions}.
 *
 * <p>The tier it builds:
 *
 * <ul>
 *   <li><b>Bulk.</b> {@code getAll} of N keys is one {@code MGET} (one round trip; in a cluster,
 *       one MGET per slot, all sent at once), whose reply is decoded as it is parsed, straight
 *       from the receive buffer. {@code putAll} is one Lua call for the whole
 *       batch (per slot in a cluster, at most 256 keys per call), which sets each key with
 *       {@code PX} = the entry's TTL (jittered by {@link TieredCache}) unless Redis holds a larger
 *       version: the SPI's version rule, atomic in Redis. {@code invalidateAll} is one Lua call
 *       that replaces the keys by tombstones for {@link Builder#removalGrace} (default 5 s), which
 *       read as misses and reject every write meanwhile, so that a fill that raced the
 *       invalidation cannot bring the old value back.
 *   <li><b>Values</b> are {@link VectorCodec} bytes, at most {@link Builder#maxValueBytes} each
 *       (larger ones are not written and are counted). A value that fails to decode is a miss: it
 *       is counted, deleted, and never throws.
 *   <li><b>Keys</b> are {@code {namespace}:{cache key}}.
 *   <li><b>Failing soft.</b> Each call has its own deadline (the command timeout, default
 *       {@value Builder#DEFAULT_COMMAND_TIMEOUT_MILLIS} ms); commands are rejected rather than queued
 *       while disconnected; Lettuce's request queue is bounded; a Resilience4j circuit breaker opens
 *       after repeated failures or timeouts, after which calls skip Redis at once until a trial call
 *       succeeds. A failed or skipped {@code getAll} completes as all-miss; a failed
 *       {@code putAll}/{@code invalidateAll} completes exceptionally, which {@link TieredCache}
 *       counts and swallows. Lettuce reconnects by itself (after at most
 *       {@link Builder#maxReconnectDelay}); if Redis is down when the tier is built, the tier starts
 *       anyway and keeps connecting in the background.
 *   <li><b>Threads.</b> The futures it returns complete on the {@link Builder#callbackExecutor},
 *       never on Lettuce's I/O thread, so what callers chain on them cannot stall other replies.
 *   <li><b>Invalidation.</b> {@link RedisCacheTier#invalidationBus()} publishes and receives
 *       invalidations over pub/sub on {@code {namespace}:invalidations}.
 * </ul>
 *
 * <p>Metrics (tag {@code tier}): {@code personalization.redis.commands} by {@code result}
 * ({@code ok}, {@code error}, {@code timeout}, {@code rejected}),
 * {@code personalization.redis.breaker.state} (0 closed, 1 open, 2 half-open),
 * {@code personalization.redis.values.corrupt}, {@code personalization.redis.values.oversize}.
 */
public final class RedisTier {

  private RedisTier() {
  }

  /** A builder with the defaults; a {@link Builder#uri} or {@link Builder#cluster} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Configures a Redis tier. Each setter replaces an earlier call of itself; conflicting settings
   * are rejected by {@link #build()}. Not thread-safe.
   */
  public static final class Builder {

    /** The tier name used when none is set: {@value}. */
    public static final String DEFAULT_NAME = "redis";
    /** The key prefix used when none is set: {@value}. */
    public static final String DEFAULT_NAMESPACE = "pe-cache";
    /** Default command timeout: {@value} ms. */
    public static final long DEFAULT_COMMAND_TIMEOUT_MILLIS = 20;
    /** Default connect timeout: {@value} ms. */
    public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 1_000;
    /** Default largest encoded value: {@value} bytes. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 64 * 1024;
    /** Default bound of Lettuce's request queue: {@value} commands. */
    public static final int DEFAULT_REQUEST_QUEUE_SIZE = 4_096;
    /** Default longest pause between reconnect attempts: {@value} ms. */
    public static final long DEFAULT_MAX_RECONNECT_DELAY_MILLIS = 1_000;
    /** Default window in which invalidations are batched into one message: {@value} ms. */
    public static final long DEFAULT_INVALIDATION_WINDOW_MILLIS = 2;
    /** Default time a removed key rejects writes: {@value} ms. */
    public static final long DEFAULT_REMOVAL_GRACE_MILLIS = 5_000;
    /** Default number of keys whose failed invalidations are kept for retry: {@value}. */
    public static final int DEFAULT_MAX_PENDING_INVALIDATIONS = 10_000;

    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.{}-]{1,64}");

    private RedisURI uri;
    private List<RedisURI> clusterSeeds;
    String name = DEFAULT_NAME;
    String namespace = DEFAULT_NAMESPACE;
    Duration commandTimeout = Duration.ofMillis(DEFAULT_COMMAND_TIMEOUT_MILLIS);
    Duration connectTimeout = Duration.ofMillis(DEFAULT_CONNECT_TIMEOUT_MILLIS);
    int maxValueBytes = DEFAULT_MAX_VALUE_BYTES;
    private int requestQueueSize = DEFAULT_REQUEST_QUEUE_SIZE;
    private Duration maxReconnectDelay = Duration.ofMillis(DEFAULT_MAX_RECONNECT_DELAY_MILLIS);
    Duration invalidationWindow = Duration.ofMillis(DEFAULT_INVALIDATION_WINDOW_MILLIS);
    int maxPendingInvalidations = DEFAULT_MAX_PENDING_INVALIDATIONS;
    Duration removalGrace = Duration.ofMillis(DEFAULT_REMOVAL_GRACE_MILLIS);
    private CircuitBreakerConfig circuitBreaker;
    private ClientResources clientResources;
    private SslOptions sslOptions;
    private MeterRegistry meterRegistry;
    Executor callbackExecutor;

    private Builder() {
    }

    /**
     * One Redis, or the master behind Sentinel when the URI is a Sentinel URI. Credentials
     * ({@code AUTH}), TLS, database and client name are taken from the URI. Excludes
     * {@link #cluster(List)}.
     */
    public Builder uri(RedisURI uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      return this;
    }

    /** {@link #uri(RedisURI)} from a string such as {@code redis://localhost:6379} or {@code rediss://:pw@host}. */
    public Builder uri(String uri) {
      return uri(RedisURI.create(Objects.requireNonNull(uri, "uri")));
    }

    /**
     * A Redis Cluster, discovered from these seed nodes (AUTH and TLS from their URIs). Excludes
     * {@link #uri(RedisURI)}.
     *
     * @throws IllegalArgumentException if there are no seeds
     */
    public Builder cluster(List<RedisURI> seeds) {
      Objects.requireNonNull(seeds, "seeds");
      if (seeds.isEmpty()) {
        throw new IllegalArgumentException("a cluster needs at least one seed URI");
      }
      this.clusterSeeds = List.copyOf(seeds);
      return this;
    }

    /** The tier's name in metrics and logs (default {@value #DEFAULT_NAME}). */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
      }
      this.name = name;
      return this;
    }

    /**
     * The prefix of every Redis key of this tier and of its invalidation channel (default
     * {@value #DEFAULT_NAMESPACE}), so that several applications or environments can share a Redis.
     *
     * @throws IllegalArgumentException unless it matches {@code [A-Za-z0-9_.{}-]{1,64}}
     */
    public Builder namespace(String namespace) {
      Objects.requireNonNull(namespace, "namespace");
      if (!NAMESPACE.matcher(namespace).matches()) {
        throw new IllegalArgumentException("namespace must match [A-Za-z0-9_.{}-]{1,64}, was '" + namespace + "'");
      }
      this.namespace = namespace;
      return this;
    }

    /**
     * How long a Redis call may take before it counts as a timeout and the caller moves on
     * (default {@value #DEFAULT_COMMAND_TIMEOUT_MILLIS} ms).
     *
     * @throws IllegalArgumentException unless positive
     */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = positive(timeout, "commandTimeout");
      return this;
    }

    /** How long connecting may take (default {@value #DEFAULT_CONNECT_TIMEOUT_MILLIS} ms). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /**
     * The largest encoded value written or accepted (default {@value #DEFAULT_MAX_VALUE_BYTES}).
     *
     * @throws IllegalArgumentException unless at least 64
     */
    public Builder maxValueBytes(int bytes) {
      if (bytes < 64) {
        throw new IllegalArgumentException("maxValueBytes must be >= 64, was " + bytes);
      }
      this.maxValueBytes = bytes;
      return this;
    }

    /**
     * Commands Lettuce holds at most before rejecting more (default
     * {@value #DEFAULT_REQUEST_QUEUE_SIZE}).
     */
    public Builder requestQueueSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("requestQueueSize must be >= 1, was " + size);
      }
      this.requestQueueSize = size;
      return this;
    }

    /**
     * The longest pause between reconnect attempts (default
     * {@value #DEFAULT_MAX_RECONNECT_DELAY_MILLIS} ms); attempts start after 10 ms and back off
     * exponentially. Ignored when {@link #clientResources} are supplied: theirs apply.
     */
    public Builder maxReconnectDelay(Duration delay) {
      this.maxReconnectDelay = positive(delay, "maxReconnectDelay");
      return this;
    }

    /**
     * How long invalidations are collected before they are published as one message (default
     * {@value #DEFAULT_INVALIDATION_WINDOW_MILLIS} ms).
     */
    public Builder invalidationWindow(Duration window) {
      Objects.requireNonNull(window, "invalidationWindow");
      if (window.isNegative()) {
        throw new IllegalArgumentException("invalidationWindow must be >= 0, was " + window);
      }
      this.invalidationWindow = window;
      return this;
    }

    /**
     * How many keys whose invalidation could not be published are kept for a retry (default
     * {@value #DEFAULT_MAX_PENDING_INVALIDATIONS}); beyond it, the retry makes every instance clear
     * its in-process tier instead.
     */
    public Builder maxPendingInvalidations(int keys) {
      if (keys < 1) {
        throw new IllegalArgumentException("maxPendingInvalidations must be >= 1, was " + keys);
      }
      this.maxPendingInvalidations = keys;
      return this;
    }

    /**
     * How long an invalidated key stays a tombstone that rejects every write (default
     * {@value #DEFAULT_REMOVAL_GRACE_MILLIS} ms). It must outlast a cache fill (a store read): a
     * fill that read the store before the invalidation and lands after it is rejected instead of
     * bringing the old value back. While it lasts the key is a miss in Redis and is read from the
     * store.
     */
    public Builder removalGrace(Duration grace) {
      this.removalGrace = positive(grace, "removalGrace");
      return this;
    }

    /**
     * The circuit breaker's settings. Default: a count-based window of 20 calls, open at 50%
     * failures once 10 calls were seen, open for 1 s, then 3 trial calls.
     */
    public Builder circuitBreaker(CircuitBreakerConfig config) {
      this.circuitBreaker = Objects.requireNonNull(config, "circuitBreaker");
      return this;
    }

    /**
     * Lettuce resources (event loops, timers) shared with other clients of the host; the tier does
     * not shut them down. Default: the tier creates and owns its own.
     */
    public Builder clientResources(ClientResources resources) {
      this.clientResources = Objects.requireNonNull(resources, "clientResources");
      return this;
    }

    /**
     * TLS material beyond what the URI says: the certificates to trust (a private CA), a client
     * certificate, protocols. TLS itself is switched on by the URI ({@code rediss://} or
     * {@code RedisURI.Builder.withSsl(true)}), which also says whether to verify the server's
     * certificate and host name. Default: Lettuce's, which trusts the JVM's default trust store.
     */
    public Builder sslOptions(SslOptions options) {
      this.sslOptions = Objects.requireNonNull(options, "sslOptions");
      return this;
    }

    /**
     * Where the futures the tier returns complete, and so where whatever is chained on them runs:
     * {@link TieredCache}'s fill of the in-process tier, the engine's scoring after an L1 miss.
     * Lettuce completes its commands on its I/O thread, one per connection; work run there would
     * hold up every other Redis reply of the host and serialize all L1 misses on one core.
     * Default: the tier's own pool of one daemon thread per core, shut down with the tier. A host
     * executor is not shut down by the tier; a completion it rejects runs where it was rejected
     * (on the I/O thread) rather than failing. {@code Runnable::run} completes on the I/O thread:
     * one thread hand-off less per call, for hosts whose chained work is trivial.
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "callbackExecutor");
      return this;
    }

    /** Where the tier's meters go (default: a private registry). */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
      return this;
    }

    CircuitBreakerConfig circuitBreakerConfig() {
      return circuitBreaker != null ? circuitBreaker : CircuitBreakerConfig.custom()
          .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
          .slidingWindowSize(20)
          .minimumNumberOfCalls(10)
          .failureRateThreshold(50)
          .waitDurationInOpenState(Duration.ofSeconds(1))
          .permittedNumberOfCallsInHalfOpenState(3)
          .build();
    }

    /**
     * Builds the tier and connects, waiting at most the connect timeout; if Redis cannot be
     * reached, the tier is returned anyway, skips Redis and keeps connecting in the background.
     *
     * @throws IllegalStateException if neither or both of {@code uri} and {@code cluster} are set
     */
    public RedisCacheTier build() {
      if (uri == null && clusterSeeds == null) {
        throw new IllegalStateException("set uri(...) or cluster(...)");
      }
      if (uri != null && clusterSeeds != null) {
        throw new IllegalStateException("uri (" + uri + ") and cluster (" + clusterSeeds + ") are mutually exclusive");
      }
      ClientResources owned = null;
      ClientResources resources = clientResources;
      if (resources == null) {
        owned = ClientResources.builder()
            .reconnectDelay(Delay.exponential(Duration.ofMillis(10), maxReconnectDelay, 2, TimeUnit.MILLISECONDS))
            // Lettuce records every command's latency in HdrHistograms when they are on the class
            // path (Micrometer brings them) and nobody reads them: the tier's own meters count its
            // calls. Off, each command skips a map lookup and two histogram updates.
            .commandLatencyRecorder(CommandLatencyRecorder.disabled())
            .build();
        resources = owned;
      }
      ClientOptions.Builder optionsBuilder = ClientOptions.builder();
      if (sslOptions != null) {
        optionsBuilder.sslOptions(sslOptions);
      }
      ClientOptions options = optionsBuilder
          .autoReconnect(true)
          .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
          .requestQueueSize(requestQueueSize)
          // A backstop only: the tier enforces the timeout itself, more precisely.
          .timeoutOptions(TimeoutOptions.builder().fixedTimeout(commandTimeout).build())
          .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
          .build();
      Endpoint endpoint = uri != null
          ? Endpoint.single(uri, resources, options)
          : Endpoint.cluster(clusterSeeds, resources, options, Duration.ofSeconds(30));
      LettuceCacheTier tier = new LettuceCacheTier(this, endpoint, owned,
          meterRegistry != null ? meterRegistry : new SimpleMeterRegistry());
      tier.start();
      return tier;
    }

    private static Duration positive(Duration d, String option) {
      Objects.requireNonNull(d, option);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(option + " must be positive, was " + d);
      }
      return d;
    }
  }
}
