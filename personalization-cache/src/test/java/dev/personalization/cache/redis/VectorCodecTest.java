package dev.personalization.cache.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.cache.StableHash;
import dev.personalization.feature.FeatureVector;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VectorCodecTest {

  private static final String KEY = "pe:user:42:counters:v1";
  private static final FeatureVector VECTOR =
      FeatureVector.of(3, 77, 1_700_000_000_123L, new float[] {1.5f, -0f, Float.NaN, Float.MIN_VALUE}, new long[] {5, -6});

  @Test
  void roundTripsEveryField() {
    FeatureVector back = VectorCodec.decode(KEY, VectorCodec.encode(KEY, VECTOR));

    assertEquals(VECTOR, back);
    assertEquals(0, Float.compare(-0f, back.get(1)), "negative zero survives");
    assertTrue(Float.isNaN(back.get(2)));
  }

  @Test
  void decodesFromADirectBufferSliceAndLeavesItAsItWas() {
    byte[] encoded = VectorCodec.encode(KEY, VECTOR);
    // As Lettuce hands values over: a window of a larger (direct) receive buffer.
    ByteBuffer receive = ByteBuffer.allocateDirect(encoded.length + 20);
    receive.position(7);
    receive.put(encoded);
    receive.position(7).limit(7 + encoded.length);

    FeatureVector back = VectorCodec.decode(KEY, VectorCodec.schemaId(KEY), receive);

    assertEquals(VECTOR, back);
    assertEquals(7, receive.position());
    assertEquals(7 + encoded.length, receive.limit());
    assertTrue(VectorCodec.isTombstone(ByteBuffer.wrap(VectorCodec.tombstone())));
    assertTrue(!VectorCodec.isTombstone(receive));
  }

  @Test
  void aFlippedBitInABufferIsDetectedToo() {
    byte[] good = VectorCodec.encode(KEY, VECTOR);
    for (int bit = 0; bit < good.length * 8; bit++) {
      byte[] bad = good.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      ByteBuffer direct = ByteBuffer.allocateDirect(bad.length).put(bad).flip();
      assertThrows(CorruptValueException.class, () -> VectorCodec.decode(KEY, VectorCodec.schemaId(KEY), direct), "bit " + bit);
    }
  }

  @Test
  void theLayoutIsTheDocumentedOne() {
    byte[] b = VectorCodec.encode(KEY, VECTOR);
    ByteBuffer buf = ByteBuffer.wrap(b);

    assertEquals(34 + 4 * 4 + 2 * 8 + 4, b.length);
    assertEquals(VectorCodec.encodedSize(VECTOR), b.length);
    assertEquals(1, buf.get(0));
    assertEquals(0, buf.get(1));
    assertEquals(77, buf.getLong(2));
    assertEquals((int) StableHash.of(KEY), buf.getInt(10));
    assertEquals(3, buf.getInt(14));
    assertEquals(1_700_000_000_123L, buf.getLong(18));
    assertEquals(4, buf.getInt(26));
    assertEquals(2, buf.getInt(30));
    assertEquals(1.5f, buf.getFloat(34));
    assertEquals(-6L, buf.getLong(34 + 16 + 8));
    assertEquals(77, VectorCodec.version(b));
  }

  @Test
  void aValueCopiedUnderAnotherKeyIsRejected() {
    byte[] b = VectorCodec.encode(KEY, VECTOR);

    CorruptValueException e = assertThrows(CorruptValueException.class, () -> VectorCodec.decode("pe:user:43:counters:v1", b));
    assertTrue(e.getMessage().contains("schema id"), e.getMessage());
  }

  @Test
  void everyFlippedBitAndEveryTruncationIsDetected() {
    byte[] good = VectorCodec.encode(KEY, VECTOR);
    for (int bit = 0; bit < good.length * 8; bit++) {
      byte[] bad = good.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThrows(CorruptValueException.class, () -> VectorCodec.decode(KEY, bad), "bit " + bit);
    }
    for (int length = 0; length < good.length; length++) {
      byte[] cut = Arrays.copyOf(good, length);
      assertThrows(CorruptValueException.class, () -> VectorCodec.decode(KEY, cut), "length " + length);
    }
  }

  @Test
  void randomBytesNeverDecodeAndNeverThrowAnythingElse() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] junk = new byte[random.nextInt(0, 300)];
      for (int j = 0; j < junk.length; j++) {
        junk[j] = (byte) random.nextInt();
      }
      if (i % 2 == 0 && junk.length > 34) {
        // Half of them start like a real header, to get past the first checks.
        junk[0] = 1;
        ByteBuffer.wrap(junk).putInt(10, (int) StableHash.of(KEY));
      }
      assertThrows(CorruptValueException.class, () -> VectorCodec.decode(KEY, junk));
    }
  }

  @Test
  void emptyVectorsRoundTrip() {
    FeatureVector empty = FeatureVector.of(0, 0, 0);
    assertEquals(empty, VectorCodec.decode("k", VectorCodec.encode("k", empty)));
  }
}
