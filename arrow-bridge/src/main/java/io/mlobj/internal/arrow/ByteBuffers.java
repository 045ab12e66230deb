package io.mlobj.internal.arrow;

import java.nio.ByteBuffer;

/** Conversions between shard bytes held as {@link ByteBuffer}s and as arrays. */
public final class ByteBuffers {
  private ByteBuffers() {}

  /**
   * The buffer's remaining bytes as an array: the array it wraps when it wraps one whole (no copy),
   * else a copy. The buffer's position is not changed.
   */
  public static byte[] toArray(ByteBuffer buffer) {
    if (buffer.hasArray()
        && buffer.arrayOffset() == 0
        && buffer.position() == 0
        && buffer.remaining() == buffer.array().length) {
      return buffer.array();
    }
    byte[] copy = new byte[buffer.remaining()];
    buffer.duplicate().get(copy);
    return copy;
  }
}
