package dev.personalization.bench.load;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the load tester loads. Implementations must be thread-safe: several sender threads call
 * {@link #send} concurrently, and completions arrive on the target's own threads.
 */
public interface Target extends AutoCloseable {

  /** The name of the loaded cache tier that is answered by the store, in {@link #cacheCounts()}. */
  String LOADER = "loader";

  /** One line saying what is loaded, for reports. */
  String description();

  /**
   * Sends one request. Must not wait for the answer: the load is open-loop and the sender must be
   * free for the next due request.
   *
   * @return a future completing with the answer, or exceptionally when the request failed or was
   *     rejected (see {@link #isRejection})
   */
  CompletableFuture<TargetResponse> send(LoadRequest request);

  /** Whether a failure means the target shed the request under load (counted apart, still an error). */
  default boolean isRejection(Throwable failure) {
    return false;
  }

  /**
   * Cache lookups so far, keyed {@code tier} (all freshness classes) and {@code tier/freshness},
   * including the {@value #LOADER} level behind the tiers; empty when the target cannot tell (HTTP).
   * Counts only grow; the load tester takes differences.
   */
  default Map<String, TierCounts> cacheCounts() {
    return Map.of();
  }

  /** CPU and heap of the system under test; {@link ResourceProbe#none()} when it is not this process. */
  default ResourceProbe resources() {
    return ResourceProbe.none();
  }

  /** Called between steps so that one step's garbage does not count against the next. */
  default void settle() {
  }

  @Override
  default void close() {
  }
}
