package dev.personalization.bench.load;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A simulated server on a {@link VirtualClock}: one FIFO queue served at exactly {@code capacity}
 * requests per second, optionally shedding requests once {@code maxInFlight} are queued (like the
 * engine's admission limit). Its capacity is known, so the load tester's answers can be checked.
 * Reports a fixed 90% cache hit rate, 30% CPU and 20% heap.
 */
final class QueueTarget implements Target {

  static final class Rejected extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Rejected() {
      super("queue full", null, false, false);
    }
  }

  private final VirtualClock clock;
  private final long serviceNanos;
  private final int maxInFlight;
  private long busyUntil;
  private int inFlight;
  private long sent;
  /** Extra delay added to requests sent in [stallFrom, stallUntil): a stall of the server. */
  long stallFrom = Long.MAX_VALUE;
  long stallUntil = Long.MAX_VALUE;

  QueueTarget(VirtualClock clock, double capacity, int maxInFlight) {
    this.clock = clock;
    this.serviceNanos = Math.round(1e9 / capacity);
    this.maxInFlight = maxInFlight;
  }

  @Override
  public String description() {
    return "simulated queue";
  }

  @Override
  public CompletableFuture<TargetResponse> send(LoadRequest request) {
    long now = clock.nanoTime();
    sent++;
    if (inFlight >= maxInFlight) {
      return CompletableFuture.failedFuture(new Rejected());
    }
    inFlight++;
    long start = Math.max(now, busyUntil);
    if (now >= stallFrom && now < stallUntil) {
      start = Math.max(start, stallUntil);
    }
    busyUntil = start + serviceNanos;
    CompletableFuture<TargetResponse> f = new CompletableFuture<>();
    clock.schedule(busyUntil, () -> {
      inFlight--;
      f.complete(TargetResponse.OK);
    });
    return f;
  }

  @Override
  public boolean isRejection(Throwable failure) {
    return failure instanceof Rejected;
  }

  @Override
  public Map<String, TierCounts> cacheCounts() {
    Map<String, TierCounts> m = new LinkedHashMap<>();
    long lookups = sent * 10;
    m.put("l1", new TierCounts(lookups * 9 / 10, lookups - lookups * 9 / 10));
    m.put("l1/dynamic", new TierCounts(lookups * 9 / 10, lookups - lookups * 9 / 10));
    m.put("loader/dynamic", new TierCounts(lookups - lookups * 9 / 10, 0));
    return m;
  }

  @Override
  public ResourceProbe resources() {
    return () -> () -> new ResourceUsage(0.3, 1.0, 0.2, 200L << 20, 300L << 20, 1000L << 20);
  }
}
