package dev.personalization.bench.load;

/** Where requests come from: one independent, reproducible stream per sender thread. */
@FunctionalInterface
public interface Workload {

  /**
   * The request stream of sender {@code sender} (0-based). Streams of different senders differ;
   * the same sender number gives the same stream again.
   */
  RequestSource requests(int sender);
}
