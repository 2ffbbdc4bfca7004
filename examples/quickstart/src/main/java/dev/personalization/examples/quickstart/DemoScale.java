package dev.personalization.examples.quickstart;

import java.time.Duration;
import java.util.Objects;

/**
 * How big the quickstart demo runs. {@link #standard()} is the documented run; tests pass a tiny one.
 *
 * @param items catalog items
 * @param categories categories the items are spread over, at least 3 (users prefer 2 or 3)
 * @param users users; activity and traffic follow a Zipf law over them
 * @param events events ingested before serving
 * @param batchSize events per {@code ingest} call
 * @param ingestThreads threads calling {@code ingest}, each owning the events of a share of the users
 *     (as consumers of a stream partitioned by user would)
 * @param requests measured {@code recommendNow} calls, at full speed
 * @param warmupRequests calls made before measuring, so that the JIT has compiled the hot path
 * @param threads caller threads
 * @param pacedRps rate of the paced phase, which measures CPU use at a fixed load
 * @param pacedDuration length of the paced phase; zero skips it
 * @param seed seed of every random choice: the same seed builds the same catalog and events
 */
public record DemoScale(
    int items,
    int categories,
    int users,
    int events,
    int batchSize,
    int ingestThreads,
    int requests,
    int warmupRequests,
    int threads,
    int pacedRps,
    Duration pacedDuration,
    long seed) {

  public DemoScale {
    positive(items, "items");
    positive(users, "users");
    positive(events, "events");
    positive(batchSize, "batchSize");
    positive(ingestThreads, "ingestThreads");
    positive(requests, "requests");
    positive(threads, "threads");
    positive(pacedRps, "pacedRps");
    if (categories < 3 || categories > items) {
      throw new IllegalArgumentException("categories must be in [3, items=" + items + "], was " + categories);
    }
    if (warmupRequests < 0) {
      throw new IllegalArgumentException("warmupRequests must be >= 0, was " + warmupRequests);
    }
    Objects.requireNonNull(pacedDuration, "pacedDuration");
    if (pacedDuration.isNegative()) {
      throw new IllegalArgumentException("pacedDuration must be >= 0, was " + pacedDuration);
    }
  }

  /**
   * The documented run: 10,000 items in 50 categories, 100,000 users, 120,000 events in batches of
   * 1,000 from 2 threads, 100,000 measured calls (after 10,000 warm-up calls) from 4 threads, then
   * 3 s at 1,000 requests per second.
   */
  public static DemoScale standard() {
    return new DemoScale(10_000, 50, 100_000, 120_000, 1_000, 2, 100_000, 10_000, 4, 1_000, Duration.ofSeconds(3), 42L);
  }

  private static void positive(int value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, was " + value);
    }
  }
}
