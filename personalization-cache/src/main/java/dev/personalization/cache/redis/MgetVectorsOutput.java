package dev.personalization.cache.redis;

import dev.personalization.feature.FeatureVector;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The reply of one {@code MGET}, decoded as it is parsed: each value is read by {@link VectorCodec}
 * straight from Lettuce's receive buffer into a {@link FeatureVector} and put in the result map. No
 * {@code byte[]} copy per value, no {@code KeyValue} or list in between. Nulls and tombstones are
 * misses; a value that is oversize or fails to decode is a miss too, remembered by index in
 * {@link #corrupt()} so that the tier can count and delete it.
 *
 * <p>Lettuce calls {@link #set(ByteBuffer)} once per key, in key order, on its event-loop thread;
 * the command's future completes after the last call, so whoever reads {@link #get()} from the
 * future sees the finished map.
 */
final class MgetVectorsOutput extends CommandOutput<byte[], byte[], Map<String, FeatureVector>> {

  private final String[] keys;
  private final int[] schemaIds;
  private final int[] indexes;
  private final int maxValueBytes;
  private final CRC32C checksum = new CRC32C();
  private int next;
  private int[] corrupt;
  private int corruptCount;

  /**
   * @param keys the cache keys of the whole request
   * @param schemaIds their {@link VectorCodec#schemaId schema ids}, index for index
   * @param indexes which of them this MGET asks for, in order (all of them when null)
   */
  MgetVectorsOutput(String[] keys, int[] schemaIds, int[] indexes, int maxValueBytes) {
    super(ByteArrayCodec.INSTANCE, new HashMap<>(Math.max(4, (indexes == null ? keys.length : indexes.length) * 4 / 3 + 1)));
    this.keys = keys;
    this.schemaIds = schemaIds;
    this.indexes = indexes;
    this.maxValueBytes = maxValueBytes;
  }

  @Override
  public void set(ByteBuffer bytes) {
    int at = next++;
    int count = indexes == null ? keys.length : indexes.length;
    if (at >= count) {
      // Only a reply to a command Lettuce sent again after a reconnect could be longer; the
      // tier's own deadline has long since answered that call.
      return;
    }
    int i = indexes == null ? at : indexes[at];
    if (bytes == null || VectorCodec.isTombstone(bytes)) {
      return;
    }
    try {
      if (bytes.remaining() > maxValueBytes) {
        throw new CorruptValueException(keys[i], "is " + bytes.remaining() + " bytes, over the limit of " + maxValueBytes);
      }
      output.put(keys[i], VectorCodec.decode(keys[i], schemaIds[i], bytes, checksum));
    } catch (RuntimeException e) {
      LettuceCacheTier.LOG.log(System.Logger.Level.DEBUG, () -> "dropping a corrupt value: " + e.getMessage());
      if (corrupt == null) {
        corrupt = new int[4];
      } else if (corruptCount == corrupt.length) {
        corrupt = java.util.Arrays.copyOf(corrupt, corruptCount * 2);
      }
      corrupt[corruptCount++] = i;
    }
  }

  /** The request indexes of the values that failed to decode. */
  int[] corrupt() {
    return corrupt == null ? new int[0] : java.util.Arrays.copyOf(corrupt, corruptCount);
  }
}
