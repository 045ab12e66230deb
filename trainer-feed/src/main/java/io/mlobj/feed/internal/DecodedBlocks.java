package io.mlobj.feed.internal;

import io.mlobj.feed.FeedErrors;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The server's Arrow memory budget (the memory cap, less what memory-mapped shards may take) and
 * the decoded blocks kept in it, shared by every stream.
 *
 * <p>Two uses share the budget. A stream reserves its batches in flight when it starts ({@link
 * #admit}); decoded blocks take the rest. A block is decoded once and read by every stream that
 * needs it (the DataLoader workers of a job all draw from the same shuffle window); a stream holds
 * blocks only while it copies their rows of one batch. A block nobody is reading stays while a
 * running stream will read it again ({@link #want}), so a job's workers hold about one shuffle
 * window between them; it is dropped as soon as no running stream needs it, or earlier, least
 * recently used first, when a decode or a new stream needs the room. When a window's blocks do not
 * fit, blocks are decoded again for later batches: slower, same samples, same order. A stream takes
 * several blocks at once only when all are decoded already ({@link #tryAcquire}), otherwise one at
 * a time, and never waits while holding one: streams cannot deadlock on memory.
 *
 * <p>A stream is admitted when its batches and the largest block of any running stream fit beside
 * the streams already admitted, with as many preparing threads as fit (at least one). A stream that
 * cannot fit even alone is refused up front; one that fits alone waits, bounded, for running
 * streams to end, then is refused. Either error names the settings to change.
 */
final class DecodedBlocks implements AutoCloseable {
  /** How long a stream waits for memory held by others before it is refused. */
  static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final long budget;
  private final BufferAllocator allocator;

  /** Access order: the first entry is the least recently used. Guarded by this. */
  private final LinkedHashMap<String, Block> blocks = new LinkedHashMap<>(16, 0.75f, true);

  /** How many running streams still need each block (decoded or not). Guarded by this. */
  private final Map<String, Integer> wanted = new HashMap<>();

  private final List<Reservation> streams = new ArrayList<>();
  private long blockBytes;
  private long reservedBytes;
  private long decodes;
  private boolean closed;

  /**
   * @param budget bytes of Arrow memory that decoded blocks and batches of all streams may use
   * @param parent the server's allocator; blocks are decoded in a child of it
   */
  DecodedBlocks(long budget, BufferAllocator parent) {
    this.budget = budget;
    this.allocator = parent.newChildAllocator("decoded-blocks", 0, Long.MAX_VALUE);
  }

  /** A decoded block in use; {@link #close()} ends this use (the block may stay cached). */
  final class Block implements AutoCloseable {
    private final String key;
    private long bytes;
    private int users;
    private boolean loading = true;
    private RuntimeException failure;
    private Blocks.Decoded decoded;
    private BufferAllocator memory;

    private Block(String key, long bytes) {
      this.key = key;
      this.bytes = bytes;
    }

    /** The decoded rows; read them only before {@link #close()}. */
    VectorSchemaRoot root() {
      return decoded.root();
    }

    @Override
    public void close() {
      release(this);
    }

    private void free() {
      if (decoded != null) {
        decoded.close();
      }
      if (memory != null) {
        memory.close();
      }
    }
  }

  /** A stream's reservation of its batches in flight; {@link #close()} returns it. */
  final class Reservation implements AutoCloseable {
    private final long bytes;
    private final long largestBlock;
    private final int threads;
    private boolean closed;

    private Reservation(long bytes, long largestBlock, int threads) {
      this.bytes = bytes;
      this.largestBlock = largestBlock;
      this.threads = threads;
    }

    /** Preparing threads granted to the stream (fewer than asked when memory is tight). */
    int threads() {
      return threads;
    }

    @Override
    public void close() {
      synchronized (DecodedBlocks.this) {
        if (!closed) {
          closed = true;
          reservedBytes -= bytes;
          streams.remove(this);
          if (streams.isEmpty()) {
            evict(Long.MAX_VALUE); // an idle server holds no decoded blocks
          }
          DecodedBlocks.this.notifyAll();
        }
      }
    }
  }

  /**
   * Admits a stream: reserves {@code fixed} plus {@code perThread} for each preparing thread, as
   * many threads (up to {@code maxThreads}, at least 1) as fit beside the running streams while the
   * largest block of any running stream still fits too.
   *
   * @throws io.mlobj.MlobjException naming {@code batch_size} and {@code --memory-cap} when the
   *     stream cannot fit even alone, or does not fit beside the running streams within {@link
   *     #WAIT_NANOS}
   */
  synchronized Reservation admit(
      String dataset, long version, long fixed, long perThread, int maxThreads, long largestBlock) {
    long alone = fixed + perThread + largestBlock;
    if (alone > budget) {
      throw FeedErrors.memoryCapExceeded(dataset, version, alone, 0, 0, budget);
    }
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (true) {
      checkOpen();
      long block = largestBlock;
      for (Reservation r : streams) {
        block = Math.max(block, r.largestBlock);
      }
      long free = budget - reservedBytes - fixed - block;
      int threads = (int) Math.min(maxThreads, free / perThread);
      if (threads >= 1) {
        Reservation r = new Reservation(fixed + threads * perThread, largestBlock, threads);
        reservedBytes += r.bytes;
        streams.add(r);
        // Unused blocks make room now; blocks in use are dropped when released (see release).
        evict(blockBytes + reservedBytes - budget);
        return r;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw FeedErrors.memoryCapExceeded(
            dataset, version, alone, reservedBytes, streams.size(), budget);
      }
      waitNanos(left);
    }
  }

  /** Declares that a stream will read these blocks (until it calls {@link #unwant}). */
  synchronized void want(Collection<String> keys) {
    for (String key : keys) {
      wanted.merge(key, 1, Integer::sum);
    }
  }

  /** A stream no longer needs the block: it is dropped once no running stream does. */
  synchronized void unwant(String key) {
    if (wanted.merge(key, -1, Integer::sum) <= 0) {
      wanted.remove(key);
      Block block = blocks.get(key);
      if (block != null && block.users == 0 && !block.loading) {
        blocks.remove(key);
        blockBytes -= block.bytes;
        block.free();
        notifyAll();
      }
    }
  }

  /** The block if it is decoded now (the caller then holds it), else null; never waits. */
  synchronized Block tryAcquire(String key) {
    Block block = blocks.get(key);
    if (block == null || block.loading) {
      return null;
    }
    block.users++;
    return block;
  }

  /** Whether a block is decoded (or being decoded) now: such a block costs no decode. */
  synchronized boolean contains(String key) {
    return blocks.containsKey(key);
  }

  /**
   * A decoded block, decoded by {@code decoder} (into the allocator it is given) unless a stream
   * already did. Waits, bounded, for memory while other streams hold blocks; call it holding no
   * other block.
   *
   * @param key identifies the block's rows and columns
   * @param estimate the block's planned bytes, accounted until it is decoded
   */
  Block acquire(
      String key,
      long estimate,
      Function<BufferAllocator, Blocks.Decoded> decoder,
      String dataset,
      long version) {
    Block block;
    synchronized (this) {
      long deadline = System.nanoTime() + WAIT_NANOS;
      while (true) {
        checkOpen();
        block = blocks.get(key);
        if (block != null) {
          block.users++;
          while (block.loading) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              block.users--;
              throw new IllegalStateException(
                  "Cannot stream "
                      + dataset
                      + " at version "
                      + version
                      + ": a block another stream is decoding did not arrive in time");
            }
            waitNanos(left);
          }
          if (block.failure != null) {
            block.users--;
            throw block.failure;
          }
          return block;
        }
        evict(blockBytes + reservedBytes + estimate - budget);
        if (blockBytes + reservedBytes + estimate <= budget) {
          block = new Block(key, estimate);
          block.users = 1;
          blocks.put(key, block);
          blockBytes += estimate;
          decodes++;
          break;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw FeedErrors.memoryCapExceeded(
              dataset, version, estimate, reservedBytes + blockBytes, streams.size(), budget);
        }
        waitNanos(left);
      }
    }
    // Decode outside the lock, in the block's own allocator (its size is then known exactly).
    BufferAllocator memory =
        allocator.newChildAllocator("block-" + Long.toHexString(key.hashCode()), 0, Long.MAX_VALUE);
    Blocks.Decoded decoded;
    try {
      decoded = decoder.apply(memory);
    } catch (RuntimeException | Error e) {
      try {
        memory.close();
      } catch (RuntimeException leak) {
        e.addSuppressed(leak); // a decoder that failed half way may leave buffers behind
      }
      synchronized (this) {
        // Streams waiting for this block fail too, instead of waiting for it forever.
        block.failure =
            e instanceof RuntimeException re
                ? re
                : new IllegalStateException("Cannot decode a block: " + e, e);
        block.loading = false;
        block.users--;
        blocks.remove(key);
        blockBytes -= block.bytes;
        notifyAll();
      }
      throw e;
    }
    synchronized (this) {
      block.decoded = decoded;
      block.memory = memory;
      block.loading = false;
      long actual = memory.getAllocatedMemory();
      blockBytes += actual - block.bytes;
      block.bytes = actual;
      notifyAll();
    }
    return block;
  }

  /** Blocks decoded so far (a block read by several streams counts once per decode). */
  synchronized long decodes() {
    return decodes;
  }

  private synchronized void release(Block block) {
    block.users--;
    if (block.users == 0
        && (closed || blockBytes + reservedBytes > budget || !wanted.containsKey(block.key))) {
      // Over budget (a new stream's reservation, or a block larger than planned), or no running
      // stream will read it again: drop it now.
      if (blocks.remove(block.key, block)) {
        blockBytes -= block.bytes;
      }
      block.free();
      if (closed && blocks.isEmpty()) {
        allocator.close();
      }
    }
    notifyAll();
  }

  /** Drops unused blocks, least recently used first, until {@code bytes} are freed. */
  private void evict(long bytes) {
    Iterator<Block> it = blocks.values().iterator();
    long freed = 0;
    while (freed < bytes && it.hasNext()) {
      Block b = it.next();
      if (b.users == 0 && !b.loading) {
        it.remove();
        blockBytes -= b.bytes;
        freed += b.bytes;
        b.free();
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("Cannot stream: the feed server is shutting down");
    }
  }

  private void waitNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Cannot stream: interrupted while waiting for memory", e);
    }
  }

  /** Frees unused blocks now, blocks in use when their stream releases them. */
  @Override
  public synchronized void close() {
    closed = true;
    evict(Long.MAX_VALUE);
    if (blocks.isEmpty()) {
      allocator.close();
    }
    notifyAll();
  }
}
