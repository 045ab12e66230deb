package io.mlobj.feed.internal;

import io.mlobj.Dataset;
import io.mlobj.MlobjException;
import io.mlobj.Shard;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whole shard objects fetched from storage, shared by every stream of a server, least recently used
 * first out. The byte cap bounds what the cache holds and what read-ahead may start: a prefetch
 * that would exceed it is not started, while a fetch a stream needs now always is (so one shard
 * larger than the cap still streams). Shards are immutable, so entries never go stale.
 *
 * <p>Streams pin the shards they are reading ({@link #acquire}) until their last block is done, and
 * a prefetch never evicts a pinned shard nor one prefetched but not read yet: otherwise read ahead
 * under a tight cap evicts the shard in use, which is fetched again for its next block (a shuffled
 * epoch then read every shard several times).
 *
 * <p>A shard the local disk cache holds is a mapping of its file ({@link ShardBytes}); evicting the
 * entry releases it, and it is unmapped once the vectors decoded from it are released too.
 */
public final class ShardCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ShardCache.class);
  private final long capBytes;
  private final FeedMetrics metrics;
  private final ExecutorService pool;
  private final BufferAllocator mappings;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long heldBytes;

  /** A cached (or in-flight) shard; pins and use are guarded by the cache's lock. */
  private static final class Entry {
    final CompletableFuture<ShardBytes> bytes;
    final long size;
    int pins;
    boolean used;

    Entry(CompletableFuture<ShardBytes> bytes, long size) {
      this.bytes = bytes;
      this.size = size;
    }
  }

  /**
   * @param allocator the server's allocator: mapped shards are wrapped as its memory (vectors
   *     loaded from them must share its root), so they count against its cap too
   */
  public ShardCache(long capBytes, int threads, FeedMetrics metrics, BufferAllocator allocator) {
    this.capBytes = capBytes;
    this.mappings = allocator.newChildAllocator("mapped-shards", 0, Long.MAX_VALUE);
    this.metrics = metrics;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "mlobj-feed-fetch-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The shard's bytes, fetching it if needed. Decode them only under a pin of the caller's ({@link
   * #acquire}): an unpinned entry may be evicted, which releases a mapped shard.
   */
  public CompletableFuture<ShardBytes> get(Dataset dataset, long version, Shard shard) {
    return lookup(dataset, version, shard, false, false);
  }

  /**
   * The shard's bytes, fetching it if needed, pinned in the cache until {@link #release}: a stream
   * holds the pin from its first block of the shard to its last.
   */
  public CompletableFuture<ShardBytes> acquire(Dataset dataset, long version, Shard shard) {
    return lookup(dataset, version, shard, false, true);
  }

  /** Drops a pin taken by {@link #acquire}. */
  public synchronized void release(Dataset dataset, Shard shard) {
    Entry entry = entries.get(key(dataset, shard));
    if (entry != null && entry.pins > 0) {
      entry.pins--;
    }
  }

  /** Starts fetching the shard if it is not cached and the cap allows; returns at once. */
  public void prefetch(Dataset dataset, long version, Shard shard) {
    lookup(dataset, version, shard, true, false);
  }

  /** Whether the shard is cached or being fetched. */
  public synchronized boolean contains(Dataset dataset, Shard shard) {
    return entries.containsKey(key(dataset, shard));
  }

  /** Bytes the cache holds or is fetching. */
  public synchronized long heldBytes() {
    return heldBytes;
  }

  private static String key(Dataset dataset, Shard shard) {
    return dataset.uri() + "/" + shard.path();
  }

  private synchronized CompletableFuture<ShardBytes> lookup(
      Dataset dataset, long version, Shard shard, boolean prefetch, boolean pin) {
    String key = key(dataset, shard);
    Entry entry = entries.get(key);
    if (entry == null) {
      evict(shard.bytes(), prefetch);
      if (prefetch && heldBytes + shard.bytes() > capBytes) {
        return null;
      }
      metrics.shardFetches.incrementAndGet();
      entry = start(dataset, version, shard, key);
    } else if (!prefetch) {
      metrics.shardCacheHits.incrementAndGet();
    }
    if (!prefetch) {
      entry.used = true;
    }
    if (pin) {
      entry.pins++;
    }
    return entry.bytes;
  }

  private Entry start(Dataset dataset, long version, Shard shard, String key) {
    CompletableFuture<ShardBytes> future =
        CompletableFuture.supplyAsync(() -> fetch(dataset, version, shard), pool);
    Entry entry = new Entry(future, shard.bytes());
    entries.put(key, entry);
    heldBytes += shard.bytes();
    metrics.shardCachePeakBytes.accumulateAndGet(heldBytes, Math::max);
    future.whenComplete(
        (b, e) -> {
          if (e != null) {
            synchronized (this) {
              if (entries.remove(key, entry)) {
                heldBytes -= entry.size;
              }
            }
          }
        });
    return entry;
  }

  /**
   * Drops least recently used, completed, unpinned entries until {@code incoming} more bytes fit;
   * for a prefetch, only entries some stream has read already.
   */
  private void evict(long incoming, boolean prefetch) {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (heldBytes + incoming > capBytes && it.hasNext()) {
      Entry e = it.next().getValue();
      if (e.bytes.isDone() && e.pins == 0 && (e.used || !prefetch)) {
        it.remove();
        heldBytes -= e.size;
        drop(e);
      }
    }
  }

  /**
   * Reads and verifies the shard through the kernel; a shard in the local disk cache comes as a
   * mapping of the cached file (page cache, not heap).
   */
  private ShardBytes fetch(Dataset dataset, long version, Shard shard) {
    ShardBytes bytes = ShardBytes.of(dataset.readShardBuffer(version, shard, true), mappings);
    metrics.storageBytes.addAndGet(bytes.size());
    return bytes;
  }

  /**
   * Releases a dropped entry's bytes. Decoders hold a pin while they decode, so none is reading
   * them; vectors loaded from a mapping keep it mapped until they are released.
   */
  private static void drop(Entry e) {
    e.bytes.thenAccept(ShardBytes::close);
  }

  /** Waits for a fetch, counting the wait as storage time. */
  public ShardBytes await(CompletableFuture<ShardBytes> future) {
    long start = System.nanoTime();
    try {
      return future.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof MlobjException m) {
        throw m;
      }
      throw e;
    } finally {
      metrics.storageWaitNanos.addAndGet(System.nanoTime() - start);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
    synchronized (this) {
      entries.values().forEach(ShardCache::drop);
      entries.clear();
      heldBytes = 0;
    }
    try {
      mappings.close();
    } catch (IllegalStateException e) {
      // A stream still holds vectors of a mapping; it is unmapped when they are released.
      LOG.debug("Mapped shards still in use at close: {}", e.getMessage());
    }
  }
}
