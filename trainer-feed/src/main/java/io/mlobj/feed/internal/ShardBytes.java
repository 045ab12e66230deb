package io.mlobj.feed.internal;

import io.mlobj.arrow.ArrowIpcBatchReader;
import io.mlobj.arrow.ByteBuffers;
import io.mlobj.arrow.MappedFiles;
import java.nio.ByteBuffer;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A whole shard held by the {@link ShardCache}: fetched bytes on the heap, or a mapping of the
 * locally cached copy as Arrow memory. A mapping is unmapped when the cache has dropped it and the
 * last vector loaded from it is released.
 */
final class ShardBytes implements AutoCloseable {
  private final ByteBuffer heap;
  private final ArrowBuf mapped;

  private ShardBytes(ByteBuffer heap, ArrowBuf mapped) {
    this.heap = heap;
    this.mapped = mapped;
  }

  /** Takes over a buffer from the kernel: heap bytes, or a mapping this object now owns. */
  static ShardBytes of(ByteBuffer bytes, BufferAllocator mappings) {
    return bytes.isDirect()
        ? new ShardBytes(null, MappedFiles.wrapAndUnmapOnRelease(mappings, bytes))
        : new ShardBytes(bytes, null);
  }

  /** An Arrow IPC reader over the shard; batches of a mapping load without a copy. */
  ArrowIpcBatchReader arrowReader(
      Schema schema, BufferAllocator allocator, int firstBatch, int batchCount) {
    return mapped != null
        ? new ArrowIpcBatchReader(mapped, schema, allocator, firstBatch, batchCount)
        : new ArrowIpcBatchReader(heap, schema, allocator, firstBatch, batchCount);
  }

  /** The bytes as an array (copied out of a mapping), e.g. for a Parquet decoder. */
  byte[] array() {
    return mapped != null
        ? ByteBuffers.toArray(mapped.nioBuffer(0, (int) mapped.capacity()))
        : ByteBuffers.toArray(heap);
  }

  /** Bytes of the shard. */
  long size() {
    return mapped != null ? mapped.capacity() : heap.remaining();
  }

  /** Drops the cache's reference: a mapping is unmapped once no vector uses it any more. */
  @Override
  public void close() {
    if (mapped != null) {
      mapped.close();
    }
  }
}
