package io.mlobj.feed.internal;

import io.mlobj.Dataset;
import io.mlobj.MlobjErrors;
import io.mlobj.MlobjException;
import io.mlobj.ScanTask;
import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.FixedShapeTensorType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.SeekableReadChannel;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Decodes one record batch of an Arrow IPC shard with ranged reads: the file's footer (the shard
 * index of its record batches) and that batch only, not the whole object. Used by {@code take},
 * which touches a few samples of many shards. The shard's CRC32C covers the whole object, so a
 * ranged read cannot verify it; Arrow's own framing still rejects malformed data.
 */
final class RangedBlocks {
  private RangedBlocks() {}

  /** Whether the block can be read by range: an Arrow IPC shard holding every wanted column. */
  static boolean supports(ScanTask task) {
    return task.shard().format() == io.mlobj.ShardFormat.ARROW;
  }

  /** The decoded block, or null when the file lacks a wanted column (read it whole instead). */
  static Blocks.Decoded decode(
      Dataset dataset,
      long version,
      ScanTask task,
      Schema wanted,
      BufferAllocator allocator,
      FeedMetrics metrics) {
    FixedShapeTensorType.ensureRegistered();
    String key = task.shard().path();
    String object = dataset.store().uri(key);
    ArrowFileReader reader =
        new ArrowFileReader(
            new SeekableReadChannel(new RangeChannel(dataset, key, task.shard().bytes(), metrics)),
            allocator,
            CommonsCompressionFactory.INSTANCE);
    try {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      for (Field field : wanted.getFields()) {
        if (root.getSchema().findField(field.getName()) == null) {
          reader.close();
          return null;
        }
      }
      int index = Math.max(0, task.firstBatch());
      if (index >= reader.getRecordBlocks().size()) {
        throw MlobjErrors.unreadableShard(
            dataset.uri(), version, object, "record batch " + index + " is missing");
      }
      reader.loadRecordBatch(reader.getRecordBlocks().get(index));
      BatchReader holder =
          new BatchReader() {
            @Override
            public boolean next() {
              return false;
            }

            @Override
            public VectorSchemaRoot root() {
              return root;
            }

            @Override
            public void close() {
              try {
                reader.close();
              } catch (IOException e) {
                // Releasing memory only.
              }
            }
          };
      return new Blocks.Decoded(holder, root);
    } catch (MlobjException e) {
      closeQuietly(reader);
      throw e;
    } catch (Exception e) {
      closeQuietly(reader);
      throw MlobjErrors.unreadableShard(dataset.uri(), version, object, String.valueOf(e));
    }
  }

  private static void closeQuietly(ArrowFileReader reader) {
    try {
      reader.close();
    } catch (Exception e) {
      // Already failing.
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
        window = dataset.store().readRange(key, position, length);
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
