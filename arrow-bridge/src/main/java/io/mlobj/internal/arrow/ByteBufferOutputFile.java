package io.mlobj.internal.arrow;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * A growable in-memory byte sink, usable as a Parquet {@link OutputFile} and a plain {@link
 * OutputStream}. Shards are assembled in memory (bounded by the target shard size) and uploaded in
 * one request, so a failed writer leaves nothing behind in the store.
 */
public final class ByteBufferOutputFile extends OutputStream implements OutputFile {
  private byte[] buffer;
  private int size;

  public ByteBufferOutputFile(int initialCapacity) {
    buffer = new byte[Math.max(1024, initialCapacity)];
  }

  @Override
  public void write(int b) {
    ensure(1);
    buffer[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buffer, size, len);
    size += len;
  }

  private void ensure(int more) {
    if (size + more > buffer.length) {
      long wanted = Math.max((long) buffer.length * 2, (long) size + more);
      if (wanted > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException(
            "Cannot buffer a shard larger than 2 GiB; lower the target shard size.");
      }
      buffer = Arrays.copyOf(buffer, (int) wanted);
    }
  }

  /** Bytes written so far. */
  public int size() {
    return size;
  }

  /** A copy of exactly the bytes written. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buffer, size);
  }

  @Override
  public PositionOutputStream create(long blockSizeHint) {
    return stream();
  }

  @Override
  public PositionOutputStream createOrOverwrite(long blockSizeHint) {
    size = 0;
    return stream();
  }

  private PositionOutputStream stream() {
    return new PositionOutputStream() {
      @Override
      public long getPos() {
        return size;
      }

      @Override
      public void write(int b) {
        ByteBufferOutputFile.this.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        ByteBufferOutputFile.this.write(b, off, len);
      }
    };
  }

  @Override
  public boolean supportsBlockSize() {
    return false;
  }

  @Override
  public long defaultBlockSize() {
    return 0;
  }

  @Override
  public String getPath() {
    return "memory";
  }

  @Override
  public void close() throws IOException {}
}
