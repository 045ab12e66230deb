package io.mlobj.feed.internal;

import io.mlobj.ShardCodec;
import io.mlobj.cache.LocalCache;
import java.nio.ByteBuffer;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

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
        ? new ShardBytes(null, LocalCache.adoptMapping(mappings, bytes))
        : new ShardBytes(bytes, null);
  }

  /** The shard for a codec; a codec that can (Arrow IPC) loads batches of a mapping in place. */
  ShardCodec.Source source() {
    return mapped != null ? ShardCodec.Source.of(mapped) : ShardCodec.Source.of(heap);
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
