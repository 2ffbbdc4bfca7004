package dev.personalization.bench;

import dev.personalization.feature.FeatureVector;

/** The values the Redis benchmarks store: 32-float vectors, distinct per index. */
final class BenchVectors {

  static final int WIDTH = 32;

  private BenchVectors() {
  }

  static FeatureVector vector(int i) {
    float[] values = new float[WIDTH];
    for (int j = 0; j < WIDTH; j++) {
      values[j] = (i * 31 + j) / 1000f;
    }
    return FeatureVector.of(1, 1, 1_700_000_000_000L, values);
  }
}
