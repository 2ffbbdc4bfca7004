package dev.personalization.bench.load;

/** How request due times are spaced. */
public enum Arrivals {
  /** Request {@code i} is due at {@code t0 + i / rate}: the default, and the easiest to reason about. */
  FIXED,
  /** Exponentially distributed gaps with mean {@code 1 / rate} (seeded): bursts as real traffic has them. */
  POISSON
}
