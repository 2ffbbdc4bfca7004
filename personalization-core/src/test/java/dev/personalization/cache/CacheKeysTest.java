package dev.personalization.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.feature.FeatureSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CacheKeysTest {

  private static final FeatureSchema PROFILE =
      new FeatureSchema("profile", "user", 3, FreshnessClass.STATIC, List.of("age", "tenure"));

  private final CacheKeys keys = CacheKeys.namespace("pe");

  @Test
  void keyIsNamespaceEntityIdGroupVersion() {
    assertEquals("pe:user:user-1:profile:v3", keys.key(PROFILE, "user-1"));
  }

  @Test
  void contextKeyAppendsSixteenHexDigitsOfTheContextHash() {
    Map<String, String> context = Map.of("country", "de", "device", "ios");

    String key = keys.key(PROFILE, "user-1", context);

    assertEquals("pe:user:user-1:profile:v3:53f0b264344f3646", key);
    assertTrue(key.matches("pe:user:user-1:profile:v3:[0-9a-f]{16}"), key);
  }

  @Test
  void bumpingTheSchemaVersionChangesTheKey() {
    FeatureSchema bumped = new FeatureSchema("profile", "user", 4, FreshnessClass.STATIC, List.of("age", "tenure"));

    assertNotEquals(keys.key(PROFILE, "user-1"), keys.key(bumped, "user-1"));
    assertEquals("pe:user:user-1:profile:v4", keys.key(bumped, "user-1"));
    assertNotEquals(keys.key(PROFILE, "user-1", Map.of("k", "v")), keys.key(bumped, "user-1", Map.of("k", "v")));
  }

  @Test
  void freshnessIsNotPartOfTheKey() {
    assertEquals(keys.key(PROFILE, "user-1"), keys.key(PROFILE.withFreshness(FreshnessClass.DYNAMIC), "user-1"));
  }

  @Test
  void contextHashIsIndependentOfMapOrder() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("a", "1");
    ab.put("b", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("b", "2");
    ba.put("a", "1");

    assertEquals(keys.key(PROFILE, "user-1", ab), keys.key(PROFILE, "user-1", ba));
  }

  @Test
  void contextBoundariesMatter() {
    assertNotEquals(keys.key(PROFILE, "user-1", Map.of("a", "bc")), keys.key(PROFILE, "user-1", Map.of("ab", "c")));
  }

  @Test
  void namespacesSeparateKeys() {
    assertEquals("staging:user:user-1:profile:v3", CacheKeys.namespace("staging").key(PROFILE, "user-1"));
    assertEquals("pe", CacheKeys.namespace(CacheKeys.DEFAULT_NAMESPACE).namespace());
  }

  @Test
  void invalidNamespacesAreRejectedByName() {
    for (String bad : List.of("", "a:b", "with space", "x".repeat(65))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CacheKeys.namespace(bad));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }
}
