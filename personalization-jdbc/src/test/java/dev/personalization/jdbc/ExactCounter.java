package dev.personalization.jdbc;

import dev.personalization.Event;
import dev.personalization.cache.FreshnessClass;
import dev.personalization.feature.FeatureSchema;
import dev.personalization.feature.FeatureUpdater;
import dev.personalization.feature.FeatureVector;
import java.util.List;

/** A feature group that counts a user's events exactly (no decay): lost or doubled updates show. */
final class ExactCounter implements FeatureUpdater {

  static final FeatureSchema SCHEMA = new FeatureSchema("exact_count", "user", 1, FreshnessClass.DYNAMIC, List.of("events"));

  @Override
  public FeatureSchema schema() {
    return SCHEMA;
  }

  @Override
  public FeatureVector apply(FeatureVector existing, List<Event> events, long newVersion) {
    float count = existing == null ? 0 : existing.get(0);
    return FeatureVector.of(1, newVersion, 0, count + events.size());
  }
}
