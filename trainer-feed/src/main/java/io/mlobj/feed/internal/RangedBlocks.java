package io.mlobj.feed.internal;

import io.mlobj.Dataset;
import io.mlobj.MlobjErrors;
import io.mlobj.MlobjException;
import io.mlobj.ScanTask;
import io.mlobj.ShardCodecs;
import io.mlobj.arrow.BatchReader;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Decodes one block of a shard with ranged reads, for formats whose codec can (Arrow IPC: the
 * file's footer, the index of its record batches, and that batch only, not the whole object). Used
 * by {@code take}, which touches a few samples of many shards. The shard's CRC32C covers the whole
 * object, so a ranged read cannot verify it; Arrow's own framing still rejects malformed data.
 */
final class RangedBlocks {
  private RangedBlocks() {}

  /** Whether the block can be read by range: its format's codec reads single blocks. */
  static boolean supports(ScanTask task) {
    return ShardCodecs.of(task.shard().format()).readsBlocksByRange();
  }

  /** The decoded block, or null when the file lacks a wanted column (read it whole instead). */
  static Blocks.Decoded decode(
      Dataset dataset,
      long version,
      ScanTask task,
      Schema wanted,
      BufferAllocator allocator,
      FeedMetrics metrics) {
    String key = task.shard().path();
    String object = dataset.objectUri(key);
    try {
      BatchReader reader =
          ShardCodecs.of(task.shard().format())
              .openBlock(
                  new RangeChannel(dataset, key, task.shard().bytes(), metrics),
                  wanted,
                  allocator,
                  task.firstBatch());
      return reader == null ? null : new Blocks.Decoded(reader, reader.root());
    } catch (MlobjException e) {
      throw e;
    } catch (Exception e) {
      throw MlobjErrors.unreadableShard(dataset.uri(), version, object, String.valueOf(e));
    }
  }

  /** A read-only channel over an object that fetches what is read, 64 KiB at a time at least. */
  private static final class RangeChannel implements SeekableByteChannel {
    private static final int MIN_READ = 64 << 10;
    private final Dataset dataset;
    private final String key;
    private final long size;
    private final FeedMetrics metrics;
    private long position;
    private byte[] window = new byte[0];
    private long windowStart;
    private boolean open = true;

    RangeChannel(Dataset dataset, String key, long size, FeedMetrics metrics) {
      this.dataset = dataset;
      this.key = key;
      this.size = size;
      this.metrics = metrics;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (position >= size) {
        return -1;
      }
      int wanted = (int) Math.min(dst.remaining(), size - position);
      if (position < windowStart || position + wanted > windowStart + window.length) {
        int length = (int) Math.min(size - position, Math.max(wanted, MIN_READ));
        long start = System.nanoTime();
        window = dataset.readRange(key, position, length);
        metrics.storageWaitNanos.addAndGet(System.nanoTime() - start);
        metrics.storageBytes.addAndGet(window.length);
        windowStart = position;
        wanted = Math.min(wanted, window.length);
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
}
