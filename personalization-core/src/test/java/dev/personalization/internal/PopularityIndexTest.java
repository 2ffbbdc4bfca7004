package dev.personalization.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class PopularityIndexTest {

  private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
  private final PopularityIndex index = new PopularityIndex(Duration.ofHours(1), 3, Duration.ZERO,
      InstantSource.fixed(Instant.ofEpochMilli(T0)));

  @Test
  void ranksByDecayedWeight() {
    index.record("b", "old", 3.0, T0);
    index.record("b", "new", 2.0, T0 + 3_600_000);   // 3 decayed by one half-life is 1.5 < 2
    index.record("b", "mid", 1.0, T0 + 3_600_000);
    assertEquals(List.of("new", "old", "mid"), index.top("b", 10));
    assertEquals(1.0f, index.normalized("b", "new"), 1e-6);
    assertEquals(0.75f, index.normalized("b", "old"), 1e-6);
  }

  @Test
  void keepsOnlyTheTopAndHonoursMax() {
    for (int i = 0; i < 10; i++) {
      index.record("b", "i" + i, i, T0);
    }
    assertEquals(List.of("i9", "i8", "i7"), index.top("b", 10));
    assertEquals(List.of("i9"), index.top("b", 1));
    assertEquals(List.of(), index.top("unknown", 5));
    assertEquals(0f, index.normalized("unknown", "i9"));
  }

  @Test
  void rescalesInsteadOfOverflowing() {
    index.record("b", "early", 1.0, T0);
    // 1000 half-lives later: 2^1000 would overflow without the rescale.
    long late = T0 + 1000L * 3_600_000;
    index.record("b", "late", 1.0, late);
    index.record("b", "late2", 0.5, late);
    assertEquals(List.of("late", "late2", "early"), index.top("b", 3));
    assertEquals(0.5f, index.normalized("b", "late2"), 1e-6);
  }
}
