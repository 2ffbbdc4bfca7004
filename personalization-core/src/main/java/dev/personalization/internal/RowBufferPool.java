package dev.personalization.internal;

import java.util.concurrent.ArrayBlockingQueue;

/**
 * Reusable row buffers, so that assembling 200 rows does not allocate a fresh array per request.
 * A buffer is borrowed for assembly and scoring and returned when the model has answered (an
 * asynchronous predictor may still read it until then). Bounded: surplus buffers are dropped.
 */
public final class RowBufferPool {

  private final ArrayBlockingQueue<float[]> free;

  public RowBufferPool(int capacity) {
    this.free = new ArrayBlockingQueue<>(capacity);
  }

  /** A buffer of at least {@code floats} floats; contents are garbage. */
  public float[] borrow(int floats) {
    float[] b = free.poll();
    if (b == null || b.length < floats) {
      return new float[Math.max(floats, b == null ? 0 : b.length)];
    }
    return b;
  }

  /** Returns a buffer for reuse. */
  public void giveBack(float[] buffer) {
    free.offer(buffer);
  }
}
