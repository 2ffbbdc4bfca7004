package dev.personalization.cache.redis;

import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;

/**
 * The keys of one {@code MGET}, written straight into Lettuce's send buffer as
 * {@code $<length>\r\n<namespace:><key>\r\n} each: the tier's prefix and the key's UTF-8 bytes are
 * copied into the buffer as they are, so a 200-key read builds no prefixed {@code byte[]}, no
 * argument object and no length string per key (Lettuce's own encoding does all three).
 *
 * <p>The first key is also added the ordinary way, so that whatever in Lettuce reads a command's
 * first key (cluster routing) finds it; {@link #count()} and {@link #encode(ByteBuf)} replace the
 * rest.
 */
final class MgetArgs extends CommandArgs<byte[], byte[]> {

  /** CR LF as one big-endian short. */
  private static final int CRLF = ('\r' << 8) | '\n';

  private final byte[] prefix;
  private final byte[][] utf8Keys;
  private final int[] indexes;
  private final int count;

  /**
   * @param prefix the tier's key prefix, {@code namespace:}
   * @param utf8Keys the cache keys' UTF-8 bytes, without the prefix
   * @param indexes which of them to ask for, in order (all of them when null)
   */
  MgetArgs(byte[] prefix, byte[][] utf8Keys, int[] indexes) {
    super(ByteArrayCodec.INSTANCE);
    this.prefix = prefix;
    this.utf8Keys = utf8Keys;
    this.indexes = indexes;
    this.count = indexes == null ? utf8Keys.length : indexes.length;
    super.addKey(redisKey(0));
  }

  private byte[] key(int at) {
    return utf8Keys[indexes == null ? at : indexes[at]];
  }

  /** The full Redis key of the {@code at}-th key asked for. */
  byte[] redisKey(int at) {
    byte[] k = key(at);
    byte[] out = new byte[prefix.length + k.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(k, 0, out, prefix.length, k.length);
    return out;
  }

  @Override
  public int count() {
    return count;
  }

  @Override
  public ByteBuffer getFirstEncodedKey() {
    return ByteBuffer.wrap(redisKey(0));
  }

  @Override
  public void encode(ByteBuf buf) {
    // Each key: '$' + up to 10 digits + CRLF + bytes + CRLF.
    int bytes = 0;
    for (int at = 0; at < count; at++) {
      bytes += 15 + prefix.length + key(at).length;
    }
    buf.ensureWritable(bytes);
    for (int at = 0; at < count; at++) {
      byte[] k = key(at);
      buf.writeByte('$');
      writeDigits(buf, prefix.length + k.length);
      buf.writeShort(CRLF);
      buf.writeBytes(prefix);
      buf.writeBytes(k);
      buf.writeShort(CRLF);
    }
  }

  /** Writes a non-negative int in ASCII decimal without building a string. */
  private static void writeDigits(ByteBuf buf, int n) {
    int divisor = 1;
    while (n / divisor >= 10) {
      divisor *= 10;
    }
    for (; divisor > 0; divisor /= 10) {
      buf.writeByte('0' + n / divisor % 10);
    }
  }

  @Override
  public String toCommandString() {
    return count + " keys, first " + new String(redisKey(0), java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + " [" + toCommandString() + "]";
  }
}
