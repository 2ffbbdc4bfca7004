package dev.personalization.feature;

import dev.personalization.cache.FreshnessClass;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Names the floats of one feature group and says how fresh cached copies must be.
 *
 * <p>The {@code version} is part of every cache key of the group: bumping it when the layout
 * changes invalidates all cached copies by construction.
 *
 * @param group the group name, {@code [a-z0-9_]{1,64}}; unique within an engine
 * @param entity what the group describes: {@code user} or {@code item} (or a host-defined entity)
 * @param version the schema version, {@code >= 0}
 * @param freshness how long cached copies may live
 * @param columns the feature names in vector order, unique
 */
public record FeatureSchema(String group, String entity, int version, FreshnessClass freshness, List<String> columns) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,64}");

  public FeatureSchema {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(freshness, "freshness");
    columns = List.copyOf(Objects.requireNonNull(columns, "columns"));
    if (!NAME.matcher(group).matches()) {
      throw new IllegalArgumentException("group must match [a-z0-9_]{1,64}, was '" + group + "'");
    }
    if (!NAME.matcher(entity).matches()) {
      throw new IllegalArgumentException("entity must match [a-z0-9_]{1,64}, was '" + entity + "'");
    }
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0, was " + version);
    }
    if (new HashSet<>(columns).size() != columns.size()) {
      throw new IllegalArgumentException("columns of group '" + group + "' are not unique: " + columns);
    }
  }

  /** Number of floats in a vector of this group. */
  public int width() {
    return columns.size();
  }

  /** The same schema with another freshness class. */
  public FeatureSchema withFreshness(FreshnessClass newFreshness) {
    return new FeatureSchema(group, entity, version, newFreshness, columns);
  }
}
