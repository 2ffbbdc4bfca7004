package dev.personalization.feature;

import dev.personalization.Event;
import dev.personalization.cache.FreshnessClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@link FeatureUpdaters#decayedCounters}. */
final class DecayedCountersUpdater implements FeatureUpdater {

  private final List<String> types;
  private final List<Duration> halfLives;
  private final FeatureSchema schema;

  DecayedCountersUpdater(List<String> types, List<Duration> halfLives) {
    this.types = List.copyOf(types);
    this.halfLives = List.copyOf(halfLives);
    if (this.types.isEmpty() || this.halfLives.isEmpty()) {
      throw new IllegalArgumentException("decayed counters need at least one event type and one half-life");
    }
    this.halfLives.forEach(FeatureUpdaters::checkHalfLife);
    List<String> columns = new ArrayList<>();
    for (String type : this.types) {
      for (Duration h : this.halfLives) {
        columns.add(type + "_" + FeatureUpdaters.label(h));
      }
    }
    this.schema = new FeatureSchema(FeatureUpdaters.COUNTERS, "user", 1, FreshnessClass.DYNAMIC, columns);
  }

  @Override
  public FeatureSchema schema() {
    return schema;
  }

  @Override
  public boolean touches(Event event) {
    return types.contains(event.type());
  }

  @Override
  public FeatureVector apply(FeatureVector existing, List<Event> events, long newVersion) {
    double[] sums = new double[schema.width()];
    long asOf = Long.MIN_VALUE;
    if (existing != null && existing.size() == sums.length) {
      for (int i = 0; i < sums.length; i++) {
        sums[i] = existing.get(i);
      }
      asOf = existing.asOfMillis();
    }
    for (Event e : events) {
      long t = e.timestamp().toEpochMilli();
      if (asOf == Long.MIN_VALUE) {
        asOf = t;
      }
      int typeIndex = types.indexOf(e.type());
      for (int i = 0; i < sums.length; i++) {
        Duration h = halfLives.get(i % halfLives.size());
        boolean counted = i / halfLives.size() == typeIndex;
        // Every counter moves to the new reference instant, counted or not, so that all share one.
        sums[i] = Decay.add(sums[i], asOf, counted ? e.weight() : 0.0, t, h);
      }
      asOf = Math.max(asOf, t);
    }
    float[] values = new float[sums.length];
    for (int i = 0; i < sums.length; i++) {
      values[i] = (float) sums[i];
    }
    return FeatureVector.of(schema.version(), newVersion, asOf, values);
  }
}
