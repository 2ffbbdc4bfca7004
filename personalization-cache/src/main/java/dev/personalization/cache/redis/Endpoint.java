package dev.personalization.cache.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the tier connects: one Redis (standalone, or found through Sentinel by its
 * {@link RedisURI}) or a Redis Cluster. Both hand out the same command interface; in a cluster it
 * routes each command by slot and splits multi-key commands (MGET, UNLINK) per slot.
 */
abstract class Endpoint {

  /** A connection and the asynchronous commands on it. */
  record Connection(StatefulConnection<byte[], byte[]> stateful, RedisClusterAsyncCommands<byte[], byte[]> commands) {
  }

  abstract boolean isCluster();

  abstract CompletableFuture<Connection> connect();

  abstract CompletableFuture<? extends StatefulRedisPubSubConnection<byte[], byte[]>> connectPubSub();

  abstract AbstractRedisClient client();

  /** A standalone or Sentinel-managed Redis. */
  static Endpoint single(RedisURI uri, ClientResources resources, ClientOptions options) {
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(options);
    return new Endpoint() {
      @Override
      boolean isCluster() {
        return false;
      }

      @Override
      CompletableFuture<Connection> connect() {
        return client.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture()
            .thenApply((StatefulRedisConnection<byte[], byte[]> c) -> new Connection(c, c.async()));
      }

      @Override
      CompletableFuture<StatefulRedisPubSubConnection<byte[], byte[]>> connectPubSub() {
        return client.connectPubSubAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture();
      }

      @Override
      AbstractRedisClient client() {
        return client;
      }

      @Override
      public String toString() {
        return uri.toString();
      }
    };
  }

  /** A Redis Cluster found through its seed nodes. */
  static Endpoint cluster(List<RedisURI> seeds, ClientResources resources, ClientOptions options, Duration refresh) {
    RedisClusterClient client = RedisClusterClient.create(resources, seeds);
    client.setOptions(ClusterClientOptions.builder(options)
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .enablePeriodicRefresh(refresh)
            .enableAllAdaptiveRefreshTriggers()
            .build())
        .build());
    return new Endpoint() {
      @Override
      boolean isCluster() {
        return true;
      }

      // The asynchronous connect does not load the topology itself ("Partitions not
      // initialized"): load it first, also asynchronously.
      @Override
      CompletableFuture<Connection> connect() {
        return client.refreshPartitionsAsync().toCompletableFuture()
            .thenCompose(v -> client.connectAsync(ByteArrayCodec.INSTANCE))
            .thenApply((StatefulRedisClusterConnection<byte[], byte[]> c) -> new Connection(c, c.async()));
      }

      @Override
      CompletableFuture<? extends StatefulRedisPubSubConnection<byte[], byte[]>> connectPubSub() {
        return client.refreshPartitionsAsync().toCompletableFuture()
            .thenCompose(v -> client.connectPubSubAsync(ByteArrayCodec.INSTANCE));
      }

      @Override
      AbstractRedisClient client() {
        return client;
      }

      @Override
      public String toString() {
        return "cluster" + seeds;
      }
    };
  }
}
