package io.mlobj.internal.arrow;

import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only seekable channel over a {@link ByteBuffer}, heap or direct (a memory-mapped file):
 * Arrow's IPC reader then copies each record batch straight from the buffer into its own memory.
 * Arrow ships such a channel only over a {@code byte[]}.
 */
public final class ByteBufferChannel implements SeekableByteChannel {
  private final ByteBuffer buffer;
  private boolean open = true;

  /** Reads the buffer's remaining bytes; the buffer itself is not modified. */
  public ByteBufferChannel(ByteBuffer buffer) {
    this.buffer = buffer.slice();
  }

  @Override
  public int read(ByteBuffer dst) {
    if (!buffer.hasRemaining()) {
      return -1;
    }
    int n = Math.min(dst.remaining(), buffer.remaining());
    dst.put(dst.position(), buffer, buffer.position(), n);
    dst.position(dst.position() + n);
    buffer.position(buffer.position() + n);
    return n;
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public long position() {
    return buffer.position();
  }

  @Override
  public SeekableByteChannel position(long newPosition) {
    if (newPosition < 0 || newPosition > buffer.limit()) {
      throw new IllegalArgumentException(
          "Position " + newPosition + " is outside 0.." + buffer.limit());
    }
    buffer.position((int) newPosition);
    return this;
  }

  @Override
  public long size() {
    return buffer.limit();
  }

  @Override
  public SeekableByteChannel truncate(long size) {
    throw new NonWritableChannelException();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }
}
