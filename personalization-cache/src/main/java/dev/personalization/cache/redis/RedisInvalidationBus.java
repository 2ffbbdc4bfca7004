package dev.personalization.cache.redis;

import dev.personalization.cache.Invalidation;
import dev.personalization.cache.InvalidationBus;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link RedisCacheTier#invalidationBus()}: invalidations as Redis pub/sub messages on the channel
 * {@code {namespace}:invalidations}.
 *
 * <p><b>Publishing.</b> {@link #publish} only queues; the queue is flushed after a small window
 * (default 2 ms) as few messages as possible (up to {@value #MAX_ENTRIES_PER_MESSAGE} keys each),
 * so that a burst of writes is a handful of messages. A flush that fails (Redis down, breaker open)
 * keeps its keys, newest version per key, in a bounded set that is retried every 200 ms. The bus's
 * commands run outside the tier's circuit breaker, with a timeout of 250 ms (or the command timeout
 * if longer): the breaker guards the request path, and invalidations must not wait for it. Because the
 * write-through to Redis of those keys may have failed as well, a retry first replaces them in Redis
 * by tombstones (see {@link RedisTier.Builder#removalGrace}) and then publishes them. When more keys fail than the set holds, the retry publishes a resync
 * instead, which makes every subscriber clear its in-process tier.
 *
 * <p><b>Receiving.</b> A dedicated pub/sub connection (Lettuce resubscribes it after reconnecting).
 * Every subscription confirmation after the first, and the first one if earlier attempts failed,
 * means messages may have been lost while unsubscribed: the listener is told to resync. An
 * instance's own messages (recognised by a random per-bus id) are ignored. Messages that do not
 * decode are counted and dropped; decoding builds only strings and numbers.
 *
 * <p>Message layout: format (1 byte, 1), kind (1 byte: 1 invalidations, 2 resync), sender id
 * (16 bytes), count (4 bytes), then per key: version (8 bytes, -1 for a removal), key length
 * (2 bytes), key (UTF-8).
 */
final class RedisInvalidationBus implements InvalidationBus {

  private static final System.Logger LOG = System.getLogger(RedisInvalidationBus.class.getName());
  static final int MAX_ENTRIES_PER_MESSAGE = 1_000;
  private static final byte FORMAT = 1;
  private static final byte KIND_INVALIDATIONS = 1;
  private static final byte KIND_RESYNC = 2;
  private static final long RETRY_MILLIS = 200;

  private final LettuceCacheTier tier;
  private final byte[] channel;
  private final byte[] senderId;
  private final ConcurrentLinkedQueue<Invalidation> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean flushScheduled = new AtomicBoolean();
  /** Keys whose publication failed, newest version per key; guarded by itself. */
  private final LinkedHashMap<String, Invalidation> unsent = new LinkedHashMap<>();
  private boolean unsentOverflowed;
  private boolean retryScheduled;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Listener listener;
  private volatile StatefulRedisPubSubConnection<byte[], byte[]> pubSub;
  private final AtomicInteger subscriptions = new AtomicInteger();
  private volatile boolean subscribeFailed;
  final AtomicInteger messagesSent = new AtomicInteger();
  final AtomicInteger malformed = new AtomicInteger();

  RedisInvalidationBus(LettuceCacheTier tier) {
    this.tier = tier;
    this.channel = (tier.namespace() + ":invalidations").getBytes(StandardCharsets.UTF_8);
    UUID id = UUID.randomUUID();
    this.senderId = ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
  }

  // --- publishing --------------------------------------------------------------------------------

  @Override
  public void publish(Collection<Invalidation> invalidations) {
    Objects.requireNonNull(invalidations, "invalidations");
    if (invalidations.isEmpty() || closed.get()) {
      return;
    }
    queue.addAll(invalidations);
    if (flushScheduled.compareAndSet(false, true)) {
      try {
        tier.timer().schedule(this::flush, tier.invalidationWindow().toNanos(), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException shutDown) {
        flushScheduled.set(false);
      }
    }
  }

  private void flush() {
    flushScheduled.set(false);
    List<Invalidation> batch = new ArrayList<>();
    for (Invalidation inv; (inv = queue.poll()) != null; ) {
      batch.add(inv);
    }
    if (batch.isEmpty()) {
      return;
    }
    boolean pendingRetries;
    synchronized (unsent) {
      pendingRetries = !unsent.isEmpty() || unsentOverflowed;
    }
    if (pendingRetries) {
      // Keep order: newer publications wait behind the failed ones.
      keepUnsent(batch);
      return;
    }
    send(batch).whenComplete((v, e) -> {
      if (e != null) {
        keepUnsent(batch);
      }
    });
  }

  private CompletableFuture<Void> send(List<Invalidation> batch) {
    List<CompletableFuture<Long>> calls = new ArrayList<>();
    for (int from = 0; from < batch.size(); from += MAX_ENTRIES_PER_MESSAGE) {
      byte[] message = encode(KIND_INVALIDATIONS, batch.subList(from, Math.min(batch.size(), from + MAX_ENTRIES_PER_MESSAGE)));
      calls.add(tier.busCall(c -> c.publish(channel, message)));
    }
    messagesSent.addAndGet(calls.size());
    return CompletableFuture.allOf(calls.toArray(CompletableFuture<?>[]::new));
  }

  private void keepUnsent(List<Invalidation> batch) {
    synchronized (unsent) {
      for (Invalidation inv : batch) {
        unsent.merge(inv.key(), inv, (a, b) -> b.isRemoval() || a.isRemoval() ? Invalidation.removed(a.key())
            : a.version() >= b.version() ? a : b);
      }
      while (unsent.size() > tier.maxPendingInvalidations()) {
        var it = unsent.keySet().iterator();
        it.next();
        it.remove();
        unsentOverflowed = true;
      }
      scheduleRetry();
    }
  }

  /** Called with {@code unsent} held. */
  private void scheduleRetry() {
    if (retryScheduled || closed.get()) {
      return;
    }
    retryScheduled = true;
    try {
      tier.timer().schedule(this::retry, RETRY_MILLIS, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException shutDown) {
      retryScheduled = false;
    }
  }

  private void retry() {
    List<Invalidation> batch;
    boolean overflowed;
    synchronized (unsent) {
      retryScheduled = false;
      batch = new ArrayList<>(unsent.values());
      overflowed = unsentOverflowed;
      unsent.clear();
      unsentOverflowed = false;
    }
    if (batch.isEmpty() && !overflowed) {
      return;
    }
    // Tombstones rather than deletes: a fill that read the store before these writes must not
    // land in the emptied keys.
    List<String> keys = batch.stream().map(Invalidation::key).toList();
    CompletableFuture<?> repaired = tier.tombstone(keys, false);
    repaired.thenCompose(v -> {
      if (overflowed) {
        LOG.log(System.Logger.Level.WARNING, "more invalidations failed than the bus keeps ("
            + tier.maxPendingInvalidations() + "); asking every instance to clear its in-process tier");
        byte[] resync = encode(KIND_RESYNC, List.of());
        messagesSent.incrementAndGet();
        return tier.busCall(c -> c.publish(channel, resync)).thenCompose(n -> send(batch));
      }
      return send(batch);
    }).whenComplete((v, e) -> {
      if (e != null) {
        synchronized (unsent) {
          unsentOverflowed |= overflowed;
        }
        keepUnsent(batch);
      } else {
        // Anything queued meanwhile waited behind this retry.
        flushQueuedNow();
      }
    });
  }

  private void flushQueuedNow() {
    if (!queue.isEmpty() && flushScheduled.compareAndSet(false, true)) {
      try {
        tier.timer().execute(this::flush);
      } catch (java.util.concurrent.RejectedExecutionException shutDown) {
        flushScheduled.set(false);
      }
    }
  }

  byte[] encode(byte kind, List<Invalidation> entries) {
    List<byte[]> keys = new ArrayList<>(entries.size());
    int size = 2 + 16 + 4;
    for (Invalidation inv : entries) {
      byte[] k = inv.key().getBytes(StandardCharsets.UTF_8);
      if (k.length > 0xffff) {
        throw new IllegalArgumentException("cache key longer than 65535 bytes: " + inv.key().substring(0, 64) + "...");
      }
      keys.add(k);
      size += 8 + 2 + k.length;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(FORMAT).put(kind).put(senderId).putInt(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      b.putLong(entries.get(i).version()).putShort((short) keys.get(i).length).put(keys.get(i));
    }
    return b.array();
  }

  // --- receiving ---------------------------------------------------------------------------------

  @Override
  public void subscribe(Listener l) {
    Objects.requireNonNull(l, "listener");
    synchronized (this) {
      if (listener != null) {
        throw new IllegalStateException("this invalidation bus already has a listener; a bus serves one engine");
      }
      listener = l;
    }
    connectPubSub();
  }

  private void connectPubSub() {
    if (closed.get()) {
      return;
    }
    tier.endpoint().connectPubSub().whenComplete((c, e) -> {
      if (e != null) {
        subscribeFailed = true;
        LOG.log(System.Logger.Level.WARNING, "invalidation bus could not connect to " + tier.endpoint() + "; retrying: " + e);
        if (!closed.get()) {
          try {
            tier.timer().schedule(this::connectPubSub, 1, TimeUnit.SECONDS);
          } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            // closed meanwhile
          }
        }
        return;
      }
      if (closed.get()) {
        c.closeAsync();
        return;
      }
      pubSub = c;
      c.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(byte[] ch, byte[] message) {
          receive(message);
        }

        @Override
        public void subscribed(byte[] ch, long count) {
          onSubscribed();
        }
      });
      c.async().subscribe(channel).whenComplete((v, se) -> {
        if (se != null) {
          subscribeFailed = true;
          LOG.log(System.Logger.Level.WARNING, "invalidation bus could not subscribe; retrying: " + se);
          pubSub = null;
          c.closeAsync();
          try {
            tier.timer().schedule(this::connectPubSub, 1, TimeUnit.SECONDS);
          } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            // closed meanwhile
          }
        }
      });
    });
  }

  private void onSubscribed() {
    int n = subscriptions.incrementAndGet();
    if (n > 1 || subscribeFailed) {
      LOG.log(System.Logger.Level.INFO, "invalidation bus resubscribed; in-process entries may have missed invalidations");
      notifyResync();
    }
  }

  /** Number of (re)subscriptions confirmed by Redis, for tests. */
  int subscriptions() {
    return subscriptions.get();
  }

  void receive(byte[] message) {
    Listener l = listener;
    if (l == null) {
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(message);
    byte kind;
    List<Invalidation> entries;
    try {
      if (b.get() != FORMAT) {
        malformed.incrementAndGet();
        return;
      }
      kind = b.get();
      byte[] sender = new byte[16];
      b.get(sender);
      if (java.util.Arrays.equals(sender, senderId)) {
        return;
      }
      int count = b.getInt();
      if (count < 0 || count > MAX_ENTRIES_PER_MESSAGE) {
        malformed.incrementAndGet();
        return;
      }
      entries = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        long version = b.getLong();
        int length = Short.toUnsignedInt(b.getShort());
        byte[] key = new byte[length];
        b.get(key);
        entries.add(new Invalidation(new String(key, StandardCharsets.UTF_8), version));
      }
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      malformed.incrementAndGet();
      return;
    }
    try {
      if (kind == KIND_RESYNC) {
        l.onResync();
      } else if (kind == KIND_INVALIDATIONS) {
        l.onInvalidations(entries);
      } else {
        malformed.incrementAndGet();
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "invalidation listener failed", e);
    }
  }

  private void notifyResync() {
    Listener l = listener;
    if (l == null) {
      return;
    }
    try {
      l.onResync();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "invalidation listener failed on resync", e);
    }
  }

  /** Stops receiving; queued publications are flushed once more if Redis answers. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<Invalidation> last = new ArrayList<>();
    for (Invalidation inv; (inv = queue.poll()) != null; ) {
      last.add(inv);
    }
    if (!last.isEmpty() && !tier.isClosed()) {
      try {
        send(last).get(1, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.log(System.Logger.Level.DEBUG, "last invalidations not sent: " + e);
      }
    }
    StatefulRedisPubSubConnection<byte[], byte[]> c = pubSub;
    if (c != null) {
      c.close();
    }
  }

  @Override
  public String toString() {
    return "RedisInvalidationBus{channel=" + new String(channel, StandardCharsets.UTF_8) + "}";
  }

  Map<String, Invalidation> unsentSnapshot() {
    synchronized (unsent) {
      return new LinkedHashMap<>(unsent);
    }
  }
}
