package dev.personalization.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FeatureVectorTest {

  @Test
  void ofValueSourceFillsItsOwnArrayAndCopiesTheReferences() {
    float[] source = {0.5f, -2f, Float.NaN};
    long[] references = {9, 8};
    FeatureVector v = FeatureVector.of(2, 5, 77, source.length, i -> source[i], references);
    source[0] = 100f;
    references[0] = 100;

    assertEquals(FeatureVector.of(2, 5, 77, new float[] {0.5f, -2f, Float.NaN}, new long[] {9, 8}), v);
    assertArrayEquals(new long[] {9, 8}, v.references());
  }

  @Test
  void ofValueSourceOfSizeZeroIsEmptyAndANegativeSizeIsRejected() {
    FeatureVector empty = FeatureVector.of(0, 1, 0, 0, i -> 1f, new long[0]);
    assertEquals(0, empty.size());
    assertTrue(!empty.isAbsent());
    assertThrows(IllegalArgumentException.class, () -> FeatureVector.of(0, 1, 0, -1, i -> 1f, new long[0]));
  }
}
