package dev.personalization.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PoolSettingsTest {

  @Test
  void seedPresetHasTheSeedsNumbers() {
    PoolSettings s = PoolSettings.seed();
    assertEquals(10, s.minimumIdle());
    assertEquals(100, s.maximumPoolSize());
    assertEquals(Duration.ofSeconds(5), s.connectionTimeout());
    assertEquals(Duration.ofSeconds(10), s.statementTimeout());
    assertEquals(Duration.ofSeconds(300), s.idleTimeout());
  }

  @Test
  void recommendedDefaultIsAFixedPoolSizedToTheDatabase() {
    PoolSettings d = PoolSettings.ofDefaults();
    assertEquals(d.minimumIdle(), d.maximumPoolSize());
    assertEquals(PoolSettings.DEFAULT_POOL_SIZE, d.maximumPoolSize());
    PoolSettings eight = PoolSettings.forDatabaseCores(8);
    assertEquals(17, eight.maximumPoolSize());
    assertEquals(17, eight.minimumIdle());
    assertEquals(Duration.ofSeconds(10), eight.statementTimeout());
    assertEquals(Duration.ofSeconds(30), eight.leakDetectionThreshold());
  }

  @Test
  void badValuesAreRejectedNotClamped() {
    assertThrows(IllegalArgumentException.class, () -> PoolSettings.forDatabaseCores(0));
    assertThrows(IllegalArgumentException.class, () -> PoolSettings.custom().maximumPoolSize(0));
    assertThrows(IllegalArgumentException.class, () -> PoolSettings.custom().connectionTimeout(Duration.ofMillis(100)));
    assertThrows(IllegalArgumentException.class, () -> PoolSettings.custom().leakDetectionThreshold(Duration.ofSeconds(1)));
    assertThrows(IllegalStateException.class, () -> PoolSettings.custom().maximumPoolSize(5).minimumIdle(6).build());
    assertEquals(Duration.ZERO, PoolSettings.custom().leakDetectionThreshold(Duration.ZERO).build().leakDetectionThreshold());
    PoolSettings derived = PoolSettings.seed().toBuilder().statementTimeout(Duration.ofSeconds(2)).build();
    assertEquals(100, derived.maximumPoolSize());
    assertEquals(Duration.ofSeconds(2), derived.statementTimeout());
  }
}
