package dev.personalization.feature;

import java.util.Arrays;
import java.util.Objects;

/**
 * The values of one feature group for one entity: an immutable array of floats, the schema version
 * it was written with, a monotonically increasing value version and the instant its time-decayed
 * values refer to.
 *
 * <p>A vector may also carry {@linkplain #references() references}: stable 64-bit hashes of entity
 * ids the group refers to (for example the last items a user interacted with). They feed filters,
 * never the model.
 *
 * <p>Instances are immutable and thread-safe; accessors that expose arrays return copies, and
 * {@link #copyValuesInto(float[], int)} is the allocation-free way to read the values.
 */
public final class FeatureVector {

  private static final float[] NO_VALUES = new float[0];
  private static final long[] NO_REFERENCES = new long[0];

  private final int schemaVersion;
  private final long version;
  private final long asOfMillis;
  private final float[] values;
  private final long[] references;

  private FeatureVector(int schemaVersion, long version, long asOfMillis, float[] values, long[] references) {
    if (schemaVersion < 0) {
      throw new IllegalArgumentException("schemaVersion must be >= 0, was " + schemaVersion);
    }
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0, was " + version);
    }
    this.schemaVersion = schemaVersion;
    this.version = version;
    this.asOfMillis = asOfMillis;
    this.values = values;
    this.references = references;
  }

  /**
   * Creates a vector; the arrays are copied.
   *
   * @param schemaVersion the version of the {@link FeatureSchema} the values follow, {@code >= 0}
   * @param version the value version, {@code >= 0}; a newer write of the same key has a larger one
   * @param asOfMillis epoch milliseconds that time-decayed values refer to
   * @param values the feature values, in schema order
   * @param references stable hashes of referenced entity ids, most recent first; may be empty
   */
  public static FeatureVector of(int schemaVersion, long version, long asOfMillis, float[] values, long[] references) {
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(references, "references");
    return new FeatureVector(schemaVersion, version, asOfMillis,
        values.length == 0 ? NO_VALUES : values.clone(),
        references.length == 0 ? NO_REFERENCES : references.clone());
  }

  /** Supplies the float at a position; see {@link #of(int, long, long, int, ValueSource, long[])}. */
  @FunctionalInterface
  public interface ValueSource {
    /** The value at {@code index}, {@code 0 <= index < size}. */
    float get(int index);
  }

  /**
   * Creates a vector of {@code size} values, the {@code i}-th being {@code values.get(i)}: a codec
   * that reads a buffer fills the vector's own array this way, instead of building an array for
   * {@link #of(int, long, long, float[], long[])} to copy. {@code references} is copied.
   */
  public static FeatureVector of(int schemaVersion, long version, long asOfMillis, int size, ValueSource values, long[] references) {
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(references, "references");
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0, was " + size);
    }
    float[] own = size == 0 ? NO_VALUES : new float[size];
    for (int i = 0; i < size; i++) {
      own[i] = values.get(i);
    }
    return new FeatureVector(schemaVersion, version, asOfMillis, own,
        references.length == 0 ? NO_REFERENCES : references.clone());
  }

  /**
   * The marker a cache tier holds for "the store has no vector for this key": version 0, so that
   * any real write (version 1 and up) replaces it, and an impossible {@code asOfMillis} that
   * survives any codec. Caching absence spares users without history a store round trip per
   * request.
   */
  public static FeatureVector absent() {
    return ABSENT;
  }

  /** Whether this vector is the {@link #absent()} marker (by value, so also after a codec). */
  public boolean isAbsent() {
    return version == 0 && asOfMillis == Long.MIN_VALUE && values.length == 0 && references.length == 0;
  }

  private static final FeatureVector ABSENT = new FeatureVector(0, 0, Long.MIN_VALUE, NO_VALUES, NO_REFERENCES);

  /** Creates a vector without references; the array is copied. */
  public static FeatureVector of(int schemaVersion, long version, long asOfMillis, float... values) {
    return of(schemaVersion, version, asOfMillis, values, NO_REFERENCES);
  }

  /** The schema version the values follow. */
  public int schemaVersion() {
    return schemaVersion;
  }

  /** The value version: larger means newer for the same key. */
  public long version() {
    return version;
  }

  /** Epoch milliseconds that time-decayed values refer to. */
  public long asOfMillis() {
    return asOfMillis;
  }

  /** Number of values. */
  public int size() {
    return values.length;
  }

  /** The value at {@code index}. */
  public float get(int index) {
    return values[index];
  }

  /** Copies the values into {@code target} starting at {@code offset}, without allocating. */
  public void copyValuesInto(float[] target, int offset) {
    System.arraycopy(values, 0, target, offset, values.length);
  }

  /** A copy of the values. */
  public float[] values() {
    return values.clone();
  }

  /** Number of references. */
  public int referenceCount() {
    return references.length;
  }

  /** The reference at {@code index}, most recent first. */
  public long reference(int index) {
    return references[index];
  }

  /** A copy of the references, most recent first. */
  public long[] references() {
    return references.clone();
  }

  /** Whether {@code hash} is among the references. */
  public boolean references(long hash) {
    for (long r : references) {
      if (r == hash) {
        return true;
      }
    }
    return false;
  }

  /**
   * A rough count of the heap bytes this vector holds, for caches bounded by weight: object
   * headers, the two arrays and their contents.
   */
  public int estimatedBytes() {
    return 48 + 16 + values.length * Float.BYTES + 16 + references.length * Long.BYTES;
  }

  /** A copy of this vector with another value version. */
  public FeatureVector withVersion(long newVersion) {
    return new FeatureVector(schemaVersion, newVersion, asOfMillis, values, references);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof FeatureVector)) {
      return false;
    }
    FeatureVector other = (FeatureVector) o;
    return schemaVersion == other.schemaVersion && version == other.version && asOfMillis == other.asOfMillis
        && Arrays.equals(values, other.values) && Arrays.equals(references, other.references);
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(schemaVersion, version, asOfMillis);
    h = 31 * h + Arrays.hashCode(values);
    return 31 * h + Arrays.hashCode(references);
  }

  @Override
  public String toString() {
    return "FeatureVector{v" + schemaVersion + ", version=" + version + ", asOf=" + asOfMillis
        + ", values=" + Arrays.toString(values) + ", references=" + references.length + "}";
  }
}
