package dev.personalization.cache.redis;

import dev.personalization.cache.StableHash;
import dev.personalization.feature.FeatureVector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The compact, versioned binary form of a {@link FeatureVector} as stored in Redis. No Java
 * serialization: decoding reads numbers at fixed offsets and can build nothing but a
 * {@code FeatureVector}, so nothing read from Redis can execute code.
 *
 * <p>Layout of format version 1 (all numbers big-endian; {@code n} values, {@code m} references):
 *
 * <pre>
 * offset      size  field
 * 0           1     format version, 1
 * 1           1     flags, 0 (reserved)
 * 2           8     value version ({@link FeatureVector#version()}, &gt;= 0): at a fixed offset so
 *                   that the tier's Lua script compares versions without decoding
 * 10          4     schema id: the low 32 bits of {@link StableHash#of(String)} of the cache key.
 *                   The key names entity, group and schema version, so a value read under any other
 *                   key (or schema) is rejected
 * 14          4     schema version ({@link FeatureVector#schemaVersion()})
 * 18          8     as-of epoch milliseconds
 * 26          4     n, number of float values
 * 30          4     m, number of references
 * 34          4n    values, IEEE 754 single precision
 * 34+4n       8m    references
 * 34+4n+8m    4     CRC32C of every byte before it
 * </pre>
 *
 * <p>A <em>tombstone</em>, written by the Redis tier when a key is invalidated, is the 10 bytes
 * {@code 01 01 FF FF FF FF FF FF FF FF}: format 1, flag 1, and a version field larger (bytewise)
 * than any real version, so that the tier's version-checking write rejects every value until the
 * tombstone expires. Readers treat it as a miss ({@link #isTombstone}).
 *
 * <p>A vector of 32 floats takes 166 bytes. Decoding checks the format version, the schema id, the
 * exact length and the checksum, so random or truncated bytes are reported as
 * {@link CorruptValueException}, never returned as a vector. Thread-safe (stateless).
 */
public final class VectorCodec {

  /** The format version this codec writes. */
  public static final byte FORMAT_VERSION = 1;
  /** Offset of the 8-byte value version. */
  public static final int VERSION_OFFSET = 2;
  /** Bytes before the values. */
  public static final int HEADER_BYTES = 34;
  /** Bytes after the references. */
  public static final int TRAILER_BYTES = 4;

  private static final long[] NO_REFERENCES = new long[0];
  private static final byte[] TOMBSTONE = {FORMAT_VERSION, 1, -1, -1, -1, -1, -1, -1, -1, -1};

  private VectorCodec() {
  }

  /** The tombstone's bytes (a copy). */
  public static byte[] tombstone() {
    return TOMBSTONE.clone();
  }

  /** Whether {@code encoded} is a tombstone rather than a vector. */
  public static boolean isTombstone(byte[] encoded) {
    return java.util.Arrays.equals(encoded, TOMBSTONE);
  }

  /** The encoded size of {@code vector}. */
  public static int encodedSize(FeatureVector vector) {
    return HEADER_BYTES + vector.size() * Float.BYTES + vector.referenceCount() * Long.BYTES + TRAILER_BYTES;
  }

  /** The schema id written for {@code key}. */
  public static int schemaId(String key) {
    return (int) StableHash.of(key);
  }

  /** Encodes {@code vector} as stored under {@code key}. */
  public static byte[] encode(String key, FeatureVector vector) {
    Objects.requireNonNull(key, "key");
    int n = vector.size();
    int m = vector.referenceCount();
    byte[] out = new byte[encodedSize(vector)];
    ByteBuffer b = ByteBuffer.wrap(out);
    b.put(FORMAT_VERSION).put((byte) 0).putLong(vector.version()).putInt(schemaId(key))
        .putInt(vector.schemaVersion()).putLong(vector.asOfMillis()).putInt(n).putInt(m);
    for (int i = 0; i < n; i++) {
      b.putFloat(vector.get(i));
    }
    for (int i = 0; i < m; i++) {
      b.putLong(vector.reference(i));
    }
    CRC32C crc = new CRC32C();
    crc.update(out, 0, b.position());
    b.putInt((int) crc.getValue());
    return out;
  }

  /** The value version of an encoded vector without decoding the rest, or -1 if it is too short. */
  public static long version(byte[] encoded) {
    return encoded.length < VERSION_OFFSET + Long.BYTES ? -1 : ByteBuffer.wrap(encoded).getLong(VERSION_OFFSET);
  }

  /**
   * Decodes a vector stored under {@code key}.
   *
   * @throws CorruptValueException if the bytes are not a vector this codec wrote for this key
   */
  public static FeatureVector decode(String key, byte[] encoded) {
    Objects.requireNonNull(encoded, "encoded");
    return decode(key, schemaId(key), ByteBuffer.wrap(encoded), null);
  }

  /**
   * Decodes the vector between {@code encoded}'s position and limit (a heap or direct buffer, such
   * as a network client's receive buffer), stored under {@code key}, without copying the bytes
   * first. The buffer's position, limit and byte order are left as they were.
   *
   * @throws CorruptValueException if the bytes are not a vector this codec wrote for this key
   */
  public static FeatureVector decode(String key, ByteBuffer encoded) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(encoded, "encoded");
    return decode(key, schemaId(key), encoded, null);
  }

  /**
   * Decodes the vector between {@code encoded}'s position and limit, stored under {@code key} whose
   * {@linkplain #schemaId schema id} the caller already knows, straight from the buffer (heap or
   * direct; the tier reads Lettuce's receive buffer this way, without copying each value into a
   * {@code byte[]} first). Reads with absolute offsets: the buffer's position, limit and byte order
   * are left as they were.
   *
   * @throws CorruptValueException if the bytes are not a vector this codec wrote for this key
   */
  static FeatureVector decode(String key, int expectedSchemaId, ByteBuffer encoded) {
    return decode(key, expectedSchemaId, encoded, null);
  }

  /**
   * {@link #decode(String, int, ByteBuffer)} with a checksum object to reuse (reset here), so that
   * decoding the values of one reply allocates none per value; null for a new one.
   */
  static FeatureVector decode(String key, int expectedSchemaId, ByteBuffer encoded, CRC32C checksum) {
    int at = encoded.position();
    int length = encoded.remaining();
    if (length < HEADER_BYTES + TRAILER_BYTES) {
      throw new CorruptValueException(key, "is " + length + " bytes, shorter than any vector");
    }
    // Absolute reads; Lettuce hands out big-endian views, so the duplicate is only a fallback.
    ByteBuffer b = encoded.order() == ByteOrder.BIG_ENDIAN ? encoded : encoded.duplicate().order(ByteOrder.BIG_ENDIAN);
    byte format = b.get(at);
    if (format != FORMAT_VERSION) {
      throw new CorruptValueException(key, "has format version " + format + ", this codec reads " + FORMAT_VERSION);
    }
    long version = b.getLong(at + 2);
    int schemaId = b.getInt(at + 10);
    int schemaVersion = b.getInt(at + 14);
    long asOf = b.getLong(at + 18);
    int n = b.getInt(at + 26);
    int m = b.getInt(at + 30);
    if (schemaId != expectedSchemaId) {
      throw new CorruptValueException(key, "carries the schema id of another key");
    }
    long expected = (long) HEADER_BYTES + 4L * n + 8L * m + TRAILER_BYTES;
    if (n < 0 || m < 0 || expected != length) {
      throw new CorruptValueException(key, "has " + length + " bytes for " + n + " values and " + m + " references");
    }
    if (version < 0 || schemaVersion < 0) {
      throw new CorruptValueException(key, "has a negative version");
    }
    int crcEnd = at + length - TRAILER_BYTES;
    CRC32C crc = checksum != null ? checksum : new CRC32C();
    crc.reset();
    int position = encoded.position();
    int limit = encoded.limit();
    try {
      encoded.limit(crcEnd);
      crc.update(encoded);
    } finally {
      encoded.limit(limit).position(position);
    }
    if ((int) crc.getValue() != b.getInt(crcEnd)) {
      throw new CorruptValueException(key, "fails its checksum");
    }
    int p = at + HEADER_BYTES + Float.BYTES * n;
    long[] references = NO_REFERENCES;
    if (m > 0) {
      references = new long[m];
      for (int i = 0; i < m; i++, p += Long.BYTES) {
        references[i] = b.getLong(p);
      }
    }
    try {
      // Read from the buffer straight into the vector's own array, not into one it would copy.
      // (A FloatBuffer view's bulk get is slower here: for 32 floats its native swap-copy call
      // costs more than the reads.)
      int values = at + HEADER_BYTES;
      return FeatureVector.of(schemaVersion, version, asOf, n, i -> b.getFloat(values + Float.BYTES * i), references);
    } catch (IllegalArgumentException e) {
      throw new CorruptValueException(key, "cannot be read: " + e);
    }
  }

  /** Whether the bytes between {@code encoded}'s position and limit are a tombstone. */
  static boolean isTombstone(ByteBuffer encoded) {
    if (encoded.remaining() != TOMBSTONE.length) {
      return false;
    }
    int at = encoded.position();
    for (int i = 0; i < TOMBSTONE.length; i++) {
      if (encoded.get(at + i) != TOMBSTONE[i]) {
        return false;
      }
    }
    return true;
  }
}
