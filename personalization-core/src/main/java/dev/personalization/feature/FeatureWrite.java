package dev.personalization.feature;

import java.util.Objects;

/**
 * One compare-and-set of a batch handed to {@link FeatureStore#compareAndSetAll}: write
 * {@code value} for {@code id} if the stored version is {@code expectedVersion} ({@code 0}: nothing
 * stored yet).
 *
 * @param id the entity id
 * @param expectedVersion the version the writer read, {@code >= 0}
 * @param value the new vector; its version must be larger than {@code expectedVersion}
 */
public record FeatureWrite(String id, long expectedVersion, FeatureVector value) {

  public FeatureWrite {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(value, "value");
    if (expectedVersion < 0) {
      throw new IllegalArgumentException("expectedVersion must be >= 0, was " + expectedVersion);
    }
    if (value.version() <= expectedVersion) {
      throw new IllegalArgumentException("new version " + value.version() + " of '" + id + "' must be larger than the expected "
          + expectedVersion);
    }
  }
}
