package dev.personalization.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Pins {@link StableHash} to values recorded once (and cross-checked against an independent
 * implementation of FNV-1a plus the MurmurHash3 finalizer). Cache keys shared between instances and
 * persisted in Redis depend on these exact numbers: if a test here fails, the change would silently
 * orphan every cached context-dependent value, so change the code back rather than the literals.
 */
class StableHashTest {

  @Test
  void stringHashesArePinned() {
    assertEquals(4729620347622785477L, StableHash.of("user-1"));
    assertEquals(-1166397803181037274L, StableHash.of(""));
    assertEquals(-1319055891767016659L, StableHash.of("ユーザー🙂"));
  }

  @Test
  void byteHashesArePinnedAndAgreeWithStrings() {
    assertEquals(-173485098666215591L, StableHash.of(new byte[] {1, 2, 3}));
    assertEquals(StableHash.of(""), StableHash.of(new byte[0]));
    assertEquals(StableHash.of("user-1"), StableHash.of("user-1".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void mapHashesArePinned() {
    assertEquals(6048530443002656326L, StableHash.of(Map.of("country", "de", "device", "ios")));
    assertEquals(StableHash.of(""), StableHash.of(Map.of()));
  }

  @Test
  void hexIsSixteenLowerCaseDigits() {
    assertEquals("41a2fca5c68401c5", StableHash.hex(StableHash.of("user-1")));
    assertEquals("53f0b264344f3646", StableHash.hex(StableHash.of(Map.of("country", "de", "device", "ios"))));
    assertEquals("0000000000000001", StableHash.hex(1L));
    assertEquals("0000000000000000", StableHash.hex(0L));
    assertEquals("ffffffffffffffff", StableHash.hex(-1L));
  }

  @Test
  void mapHashIgnoresIterationOrder() {
    Map<String, String> forward = new LinkedHashMap<>();
    forward.put("a", "1");
    forward.put("b", "2");
    forward.put("c", "3");
    Map<String, String> backward = new LinkedHashMap<>();
    backward.put("c", "3");
    backward.put("b", "2");
    backward.put("a", "1");

    assertEquals(StableHash.of(forward), StableHash.of(backward));
    assertEquals(StableHash.of(forward), StableHash.of(new TreeMap<>(forward)));
  }

  @Test
  void lengthPrefixesKeepKeyValueBoundaries() {
    assertNotEquals(StableHash.of(Map.of("a", "bc")), StableHash.of(Map.of("ab", "c")));
    assertNotEquals(StableHash.of(Map.of("a", "", "b", "")), StableHash.of(Map.of("ab", "")));
    assertNotEquals(StableHash.of(Map.of("", "a")), StableHash.of(Map.of("a", "")));
  }

  @Test
  void nearbyInputsSpreadOut() {
    long a = StableHash.of("user-1");
    long b = StableHash.of("user-2");
    // The finalizer exists for avalanche: a one-character change flips many bits, not a few.
    assertTrue(Long.bitCount(a ^ b) > 16, () -> "only " + Long.bitCount(a ^ b) + " bits differ");
  }
}
