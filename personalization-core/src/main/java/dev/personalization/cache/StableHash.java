package dev.personalization.cache;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * A 64-bit hash that is the same in every JVM, version and run: FNV-1a over the UTF-8 bytes, then
 * the MurmurHash3 64-bit finalizer for avalanche. Keys built from it survive restarts and are shared
 * by instances, which {@link Object#hashCode()} (32 bits, and unspecified for many types) cannot do.
 * Not a cryptographic hash.
 */
public final class StableHash {

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private StableHash() {
  }

  /** The stable hash of a string's UTF-8 bytes. */
  public static long of(String s) {
    return finish(update(FNV_OFFSET, s.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The stable hash of a map of attributes, independent of the map's iteration order: entries are
   * hashed in key order, each key and value length-prefixed so that {@code {a=bc}} and
   * {@code {ab=c}} differ.
   */
  public static long of(Map<String, String> attributes) {
    long h = FNV_OFFSET;
    for (Map.Entry<String, String> e : new TreeMap<>(attributes).entrySet()) {
      h = updateLengthPrefixed(h, e.getKey().getBytes(StandardCharsets.UTF_8));
      h = updateLengthPrefixed(h, e.getValue().getBytes(StandardCharsets.UTF_8));
    }
    return finish(h);
  }

  /** The stable hash of raw bytes. */
  public static long of(byte[] bytes) {
    return finish(update(FNV_OFFSET, bytes));
  }

  /** The hash as 16 lower-case hex digits, the form used in cache keys. */
  public static String hex(long hash) {
    String s = Long.toHexString(hash);
    return "0".repeat(16 - s.length()) + s;
  }

  private static long updateLengthPrefixed(long h, byte[] bytes) {
    int n = bytes.length;
    for (int shift = 0; shift < 32; shift += 8) {
      h = (h ^ ((n >>> shift) & 0xff)) * FNV_PRIME;
    }
    return update(h, bytes);
  }

  private static long update(long h, byte[] bytes) {
    for (byte b : bytes) {
      h = (h ^ (b & 0xff)) * FNV_PRIME;
    }
    return h;
  }

  private static long finish(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
