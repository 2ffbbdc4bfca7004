package dev.personalization;

import dev.personalization.feature.FeatureSchema;
import dev.personalization.feature.FeatureStore;
import dev.personalization.feature.FeatureVector;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The in-memory store, with reads that a test can hold back or break. */
final class ControllableStore implements FeatureStore {

  private final FeatureStore delegate = FeatureStore.inMemory();
  volatile CountDownLatch readGate;
  volatile RuntimeException readFailure;
  final AtomicInteger reads = new AtomicInteger();

  @Override
  public Map<String, FeatureVector> fetchMany(FeatureSchema schema, Collection<String> ids) {
    reads.incrementAndGet();
    CountDownLatch gate = readGate;
    if (gate != null) {
      try {
        gate.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    RuntimeException failure = readFailure;
    if (failure != null) {
      throw failure;
    }
    return delegate.fetchMany(schema, ids);
  }

  @Override
  public boolean compareAndSet(FeatureSchema schema, String id, long expectedVersion, FeatureVector value) {
    return delegate.compareAndSet(schema, id, expectedVersion, value);
  }

  @Override
  public List<Event> appendNew(List<Event> events) {
    return delegate.appendNew(events);
  }
}
