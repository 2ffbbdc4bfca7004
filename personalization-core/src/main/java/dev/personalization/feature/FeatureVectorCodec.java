package dev.personalization.feature;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The compact, explicit binary form of a {@link FeatureVector}, shared by every tier that stores
 * vectors outside the heap (database columns, Redis values). No Java serialization.
 *
 * <p>Layout, big-endian, {@value #HEADER_BYTES} bytes of header then the arrays:
 * <pre>
 *   byte    format version   ({@value #FORMAT_VERSION})
 *   int     schema version
 *   long    value version
 *   long    asOf, epoch milliseconds
 *   int     n = float count  (0 .. {@value #MAX_VALUES})
 *   float*n values
 *   int     m = reference count (0 .. {@value #MAX_REFERENCES})
 *   long*m  references
 * </pre>
 * A reader rejects a format version it does not know, counts out of range, truncated input and
 * trailing bytes, each with a {@link FeatureVectorFormatException} that says which; it never
 * allocates more than the input's length justifies.
 *
 * <p>Stateless and thread-safe.
 */
public final class FeatureVectorCodec {

  /** The format version written by {@link #encode}. */
  public static final byte FORMAT_VERSION = 1;
  /** Most floats a vector may hold to be encoded or decoded. */
  public static final int MAX_VALUES = 65_536;
  /** Most references a vector may hold to be encoded or decoded. */
  public static final int MAX_REFERENCES = 65_536;
  /** Bytes before the values: format, schema version, value version, asOf, float count. */
  public static final int HEADER_BYTES = 1 + 4 + 8 + 8 + 4;

  private FeatureVectorCodec() {
  }

  /** The exact number of bytes {@link #encode} produces for {@code vector}. */
  public static int encodedSize(FeatureVector vector) {
    return HEADER_BYTES + vector.size() * Float.BYTES + Integer.BYTES + vector.referenceCount() * Long.BYTES;
  }

  /**
   * Encodes a vector.
   *
   * @throws FeatureVectorFormatException when it holds more than {@value #MAX_VALUES} values or
   *     {@value #MAX_REFERENCES} references
   */
  public static byte[] encode(FeatureVector vector) {
    Objects.requireNonNull(vector, "vector");
    if (vector.size() > MAX_VALUES) {
      throw new FeatureVectorFormatException("vector has " + vector.size() + " values, the format holds at most " + MAX_VALUES);
    }
    if (vector.referenceCount() > MAX_REFERENCES) {
      throw new FeatureVectorFormatException("vector has " + vector.referenceCount() + " references, the format holds at most "
          + MAX_REFERENCES);
    }
    ByteBuffer out = ByteBuffer.allocate(encodedSize(vector)).order(ByteOrder.BIG_ENDIAN);
    out.put(FORMAT_VERSION);
    out.putInt(vector.schemaVersion());
    out.putLong(vector.version());
    out.putLong(vector.asOfMillis());
    out.putInt(vector.size());
    for (int i = 0; i < vector.size(); i++) {
      out.putFloat(vector.get(i));
    }
    out.putInt(vector.referenceCount());
    for (int i = 0; i < vector.referenceCount(); i++) {
      out.putLong(vector.reference(i));
    }
    return out.array();
  }

  /** Decodes a whole array; see {@link #decode(byte[], int, int)}. */
  public static FeatureVector decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return decode(bytes, 0, bytes.length);
  }

  /**
   * Decodes the {@code length} bytes at {@code offset}, which must hold exactly one vector.
   *
   * @throws FeatureVectorFormatException when the bytes are truncated, have trailing bytes, carry
   *     an unknown format version, counts out of range or a negative version
   */
  public static FeatureVector decode(byte[] bytes, int offset, int length) {
    Objects.requireNonNull(bytes, "bytes");
    Objects.checkFromIndexSize(offset, length, bytes.length);
    ByteBuffer in = ByteBuffer.wrap(bytes, offset, length).order(ByteOrder.BIG_ENDIAN);
    try {
      byte format = in.get();
      if (format != FORMAT_VERSION) {
        throw new FeatureVectorFormatException("unknown feature vector format version " + format + " (this library reads "
            + FORMAT_VERSION + ")");
      }
      int schemaVersion = in.getInt();
      long version = in.getLong();
      long asOf = in.getLong();
      if (schemaVersion < 0 || version < 0) {
        throw new FeatureVectorFormatException("negative schema version " + schemaVersion + " or value version " + version);
      }
      int n = in.getInt();
      checkCount(n, MAX_VALUES, Float.BYTES, in, "value");
      float[] values = new float[n];
      for (int i = 0; i < n; i++) {
        values[i] = in.getFloat();
      }
      int m = in.getInt();
      checkCount(m, MAX_REFERENCES, Long.BYTES, in, "reference");
      long[] references = new long[m];
      for (int i = 0; i < m; i++) {
        references[i] = in.getLong();
      }
      if (in.hasRemaining()) {
        throw new FeatureVectorFormatException(in.remaining() + " trailing bytes after a feature vector of " + length + " bytes");
      }
      return FeatureVector.of(schemaVersion, version, asOf, values, references);
    } catch (BufferUnderflowException e) {
      throw new FeatureVectorFormatException("feature vector truncated: " + length + " bytes end inside the "
          + (length < HEADER_BYTES ? "header (" + HEADER_BYTES + " bytes)" : "arrays"));
    }
  }

  private static void checkCount(int count, int max, int width, ByteBuffer in, String what) {
    if (count < 0 || count > max) {
      throw new FeatureVectorFormatException(what + " count " + count + " out of range 0.." + max);
    }
    // Refuse before allocating: a corrupt count must not cost memory the input cannot back.
    if ((long) count * width > in.remaining()) {
      throw new FeatureVectorFormatException("feature vector truncated: " + count + " " + what + "s need "
          + (long) count * width + " bytes, " + in.remaining() + " remain");
    }
  }
}
