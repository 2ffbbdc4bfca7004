package dev.personalization.internal;

import dev.personalization.cache.CacheKeys;
import dev.personalization.feature.FeatureSchema;

/**
 * The cache keys of one feature group, as a precomputed prefix and suffix around the entity id:
 * building a key is one concatenation and the id is recovered from a key without a lookup table.
 * Produces exactly {@link CacheKeys#key(FeatureSchema, String)}.
 */
public record GroupKeys(FeatureSchema schema, String prefix, String suffix) {

  public static GroupKeys of(CacheKeys keys, FeatureSchema schema) {
    String probe = keys.key(schema, "");
    String prefix = keys.namespace() + ':' + schema.entity() + ':';
    return new GroupKeys(schema, prefix, probe.substring(prefix.length()));
  }

  public String key(String id) {
    return prefix + id + suffix;
  }

  public String id(String key) {
    return key.substring(prefix.length(), key.length() - suffix.length());
  }
}
