package dev.personalization.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FeatureVectorCodecTest {

  private static final FeatureVector SAMPLE = FeatureVector.of(3, 42, 1_700_000_000_123L,
      new float[] {0f, -1.5f, Float.MAX_VALUE, Float.MIN_VALUE, Float.NaN}, new long[] {Long.MIN_VALUE, 7, -1});

  @Test
  void roundTripsEveryField() {
    byte[] bytes = FeatureVectorCodec.encode(SAMPLE);
    assertEquals(FeatureVectorCodec.encodedSize(SAMPLE), bytes.length);
    assertEquals(FeatureVectorCodec.HEADER_BYTES + 5 * 4 + 4 + 3 * 8, bytes.length);
    FeatureVector back = FeatureVectorCodec.decode(bytes);
    assertEquals(SAMPLE, back);
    assertArrayEquals(SAMPLE.references(), back.references());
  }

  @Test
  void roundTripsEmptyVector() {
    FeatureVector empty = FeatureVector.of(0, 0, 0);
    assertEquals(empty, FeatureVectorCodec.decode(FeatureVectorCodec.encode(empty)));
  }

  @Test
  void layoutIsPinned() {
    // The bytes are read by other processes and library versions: any change here is a format change.
    byte[] bytes = FeatureVectorCodec.encode(FeatureVector.of(1, 2, 3, new float[] {1f}, new long[] {4}));
    ByteBuffer b = ByteBuffer.wrap(bytes);
    assertEquals(1, b.get());
    assertEquals(1, b.getInt());
    assertEquals(2L, b.getLong());
    assertEquals(3L, b.getLong());
    assertEquals(1, b.getInt());
    assertEquals(1f, b.getFloat());
    assertEquals(1, b.getInt());
    assertEquals(4L, b.getLong());
    assertEquals(0, b.remaining());
  }

  @Test
  void decodesAtAnOffset() {
    byte[] bytes = FeatureVectorCodec.encode(SAMPLE);
    byte[] padded = new byte[bytes.length + 10];
    System.arraycopy(bytes, 0, padded, 7, bytes.length);
    assertEquals(SAMPLE, FeatureVectorCodec.decode(padded, 7, bytes.length));
  }

  @Test
  void everyTruncationIsAClearError() {
    byte[] bytes = FeatureVectorCodec.encode(SAMPLE);
    for (int len = 0; len < bytes.length; len++) {
      byte[] cut = Arrays.copyOf(bytes, len);
      FeatureVectorFormatException e = assertThrows(FeatureVectorFormatException.class, () -> FeatureVectorCodec.decode(cut),
          "length " + len);
      assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }
  }

  @Test
  void rejectsTrailingBytesUnknownFormatAndHugeCounts() {
    byte[] bytes = FeatureVectorCodec.encode(SAMPLE);
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertTrue(assertThrows(FeatureVectorFormatException.class, () -> FeatureVectorCodec.decode(longer))
        .getMessage().contains("trailing"));

    byte[] future = bytes.clone();
    future[0] = 9;
    assertTrue(assertThrows(FeatureVectorFormatException.class, () -> FeatureVectorCodec.decode(future))
        .getMessage().contains("format version 9"));

    // A corrupt count must be refused before anything is allocated for it.
    byte[] huge = bytes.clone();
    ByteBuffer.wrap(huge).putInt(1 + 4 + 8 + 8, Integer.MAX_VALUE);
    assertTrue(assertThrows(FeatureVectorFormatException.class, () -> FeatureVectorCodec.decode(huge))
        .getMessage().contains("out of range"));
    byte[] plausible = bytes.clone();
    ByteBuffer.wrap(plausible).putInt(1 + 4 + 8 + 8, 60_000);
    assertTrue(assertThrows(FeatureVectorFormatException.class, () -> FeatureVectorCodec.decode(plausible))
        .getMessage().contains("truncated"));
  }

  @Test
  void refusesToEncodeOversizeVectors() {
    FeatureVector big = FeatureVector.of(1, 1, 0, new float[FeatureVectorCodec.MAX_VALUES + 1]);
    assertThrows(FeatureVectorFormatException.class, () -> FeatureVectorCodec.encode(big));
    FeatureVector atLimit = FeatureVector.of(1, 1, 0, new float[FeatureVectorCodec.MAX_VALUES]);
    assertEquals(atLimit, FeatureVectorCodec.decode(FeatureVectorCodec.encode(atLimit)));
    FeatureVector manyRefs = FeatureVector.of(1, 1, 0, new float[0], new long[FeatureVectorCodec.MAX_REFERENCES + 1]);
    assertThrows(FeatureVectorFormatException.class, () -> FeatureVectorCodec.encode(manyRefs));
  }
}
