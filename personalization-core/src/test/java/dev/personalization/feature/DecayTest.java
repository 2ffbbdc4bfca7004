package dev.personalization.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DecayTest {

  private static final Duration HOUR = Duration.ofHours(1);

  @Test
  void halvesEveryHalfLife() {
    assertEquals(1.0, Decay.factor(0, 0, HOUR), 1e-12);
    assertEquals(0.5, Decay.factor(0, 3_600_000, HOUR), 1e-12);
    assertEquals(0.25, Decay.factor(0, 7_200_000, HOUR), 1e-12);
    assertEquals(0.5, Decay.factor(0, 86_400_000, Duration.ofDays(1)), 1e-12);
  }

  @Test
  void addingIsOrderIndependent() {
    long t0 = 1_000_000;
    long t1 = t0 + 1_800_000;
    // Newer first, then older.
    double a = Decay.add(0, t1, 1.0, t1, HOUR);
    a = Decay.add(a, t1, 2.0, t0, HOUR);
    // Older first, then newer.
    double b = Decay.add(0, t0, 2.0, t0, HOUR);
    b = Decay.add(b, t0, 1.0, t1, HOUR);
    assertEquals(a, b, 1e-12);
    // 1 at t1 plus 2 decayed by half an hour.
    assertEquals(1.0 + 2.0 * Math.pow(2, -0.5), a, 1e-12);
  }
}
