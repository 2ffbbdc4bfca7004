package dev.personalization.feature;

import dev.personalization.Event;
import dev.personalization.cache.FreshnessClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@link FeatureUpdaters#categoryAffinity}. */
final class CategoryAffinityUpdater implements FeatureUpdater {

  private final int buckets;
  private final Duration halfLife;
  private final FeatureSchema schema;

  CategoryAffinityUpdater(int buckets, Duration halfLife) {
    if (buckets < 1 || buckets > 4096) {
      throw new IllegalArgumentException("affinity buckets must be in [1, 4096], was " + buckets);
    }
    FeatureUpdaters.checkHalfLife(halfLife);
    this.buckets = buckets;
    this.halfLife = halfLife;
    List<String> columns = new ArrayList<>(buckets);
    for (int i = 0; i < buckets; i++) {
      columns.add("affinity_" + i);
    }
    this.schema = new FeatureSchema(FeatureUpdaters.CATEGORY_AFFINITY, "user", 1, FreshnessClass.DYNAMIC, columns);
  }

  @Override
  public FeatureSchema schema() {
    return schema;
  }

  /** The half-life of the affinities. */
  Duration halfLife() {
    return halfLife;
  }

  @Override
  public boolean touches(Event event) {
    return event.category() != null;
  }

  @Override
  public FeatureVector apply(FeatureVector existing, List<Event> events, long newVersion) {
    double[] sums = new double[buckets];
    long asOf = Long.MIN_VALUE;
    if (existing != null && existing.size() == buckets) {
      for (int i = 0; i < buckets; i++) {
        sums[i] = existing.get(i);
      }
      asOf = existing.asOfMillis();
    }
    for (Event e : events) {
      long t = e.timestamp().toEpochMilli();
      if (asOf == Long.MIN_VALUE) {
        asOf = t;
      }
      int hit = FeatureUpdaters.affinityBucket(e.category(), buckets);
      for (int i = 0; i < buckets; i++) {
        sums[i] = Decay.add(sums[i], asOf, i == hit ? e.weight() : 0.0, t, halfLife);
      }
      asOf = Math.max(asOf, t);
    }
    float[] values = new float[buckets];
    for (int i = 0; i < buckets; i++) {
      values[i] = (float) sums[i];
    }
    return FeatureVector.of(schema.version(), newVersion, asOf, values);
  }
}
