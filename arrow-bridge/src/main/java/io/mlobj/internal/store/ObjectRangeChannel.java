package io.mlobj.internal.store;

import io.mlobj.Dataset;
import io.mlobj.store.ObjectStore;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only channel over an object that fetches what is read by ranged reads, at least {@value
 * #MIN_READ} bytes at a time, and keeps the last range fetched. A read within the object's last
 * {@value #MIN_READ} bytes fetches all of them, so a file's trailer and a footer that fits there
 * (Parquet, Arrow IPC) take one request.
 */
public final class ObjectRangeChannel implements SeekableByteChannel {
  static final int MIN_READ = 64 << 10;

  private final ObjectStore store;
  private final String key;
  private final long size;
  private final Dataset.RangeReadListener reads;
  private long position;
  private byte[] window = new byte[0];
  private long windowStart;
  private boolean open = true;

  /**
   * @param size the object's size (from the manifest)
   * @param reads told of each request, or null
   */
  public ObjectRangeChannel(
      ObjectStore store, String key, long size, Dataset.RangeReadListener reads) {
    this.store = store;
    this.key = key;
    this.size = size;
    this.reads = reads;
  }

  @Override
  public int read(ByteBuffer dst) {
    if (position >= size) {
      return -1;
    }
    int wanted = (int) Math.min(dst.remaining(), size - position);
    if (position < windowStart || position + wanted > windowStart + window.length) {
      int length = (int) Math.min(size, Math.max(wanted, MIN_READ));
      long start = Math.min(position, size - length);
      long t0 = System.nanoTime();
      window = store.readRange(key, start, length);
      if (reads != null) {
        reads.onRead(window.length, System.nanoTime() - t0);
      }
      windowStart = start;
      wanted = (int) Math.min(wanted, windowStart + window.length - position);
      if (wanted <= 0) {
        return -1; // the object is shorter than its size said
      }
    }
    dst.put(window, (int) (position - windowStart), wanted);
    position += wanted;
    return wanted;
  }

  @Override
  public int write(ByteBuffer src) {
    throw new UnsupportedOperationException("read-only");
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public SeekableByteChannel position(long newPosition) {
    this.position = newPosition;
    return this;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public SeekableByteChannel truncate(long ignored) {
    throw new UnsupportedOperationException("read-only");
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
