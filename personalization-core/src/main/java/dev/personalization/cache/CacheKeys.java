package dev.personalization.cache;

import dev.personalization.feature.FeatureSchema;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Builds versioned cache keys: {@code {namespace}:{entity}:{id}:{group}:v{schemaVersion}} and, for
 * values that depend on request context, {@code …:v{schemaVersion}:{contextHash}} with a
 * {@link StableHash} of the context attributes.
 *
 * <p>Because the schema version is part of the key, bumping it invalidates every cached copy of the
 * old layout by construction; no flush is needed. Thread-safe.
 */
public final class CacheKeys {

  /** The namespace used when none is configured. */
  public static final String DEFAULT_NAMESPACE = "pe";

  private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private final String namespace;

  private CacheKeys(String namespace) {
    this.namespace = namespace;
  }

  /**
   * Keys under a namespace, so that several engines or environments can share one Redis.
   *
   * @throws IllegalArgumentException unless the namespace matches {@code [A-Za-z0-9_.-]{1,64}}
   */
  public static CacheKeys namespace(String namespace) {
    Objects.requireNonNull(namespace, "namespace");
    if (!NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException("namespace must match [A-Za-z0-9_.-]{1,64}, was '" + namespace + "'");
    }
    return new CacheKeys(namespace);
  }

  /** The namespace every key starts with. */
  public String namespace() {
    return namespace;
  }

  /** The key of an entity's vector in a group: {@code ns:entity:id:group:v{version}}. */
  public String key(FeatureSchema schema, String id) {
    return namespace + ':' + schema.entity() + ':' + id + ':' + schema.group() + ":v" + schema.version();
  }

  /** The key of a context-dependent value: {@code ns:entity:id:group:v{version}:{contextHash}}. */
  public String key(FeatureSchema schema, String id, Map<String, String> context) {
    return key(schema, id) + ':' + StableHash.hex(StableHash.of(context));
  }
}
