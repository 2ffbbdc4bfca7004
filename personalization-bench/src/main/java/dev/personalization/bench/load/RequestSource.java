package dev.personalization.bench.load;

/**
 * An endless stream of requests. Not thread-safe: the load tester gives each sender thread its own
 * stream, made by {@link Workload#requests(int)}.
 */
@FunctionalInterface
public interface RequestSource {

  /** The next request. */
  LoadRequest next();
}
