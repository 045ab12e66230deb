package io.mlobj.feed.internal;

import io.mlobj.Dataset;
import io.mlobj.MlobjErrors;
import io.mlobj.MlobjException;
import io.mlobj.Shard;
import io.mlobj.store.ObjectNotFoundException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * Whole shard objects fetched from storage, shared by every stream of a server, least recently used
 * first out. The byte cap bounds what the cache holds and what read-ahead may start: a prefetch
 * that would exceed it is not started, while a fetch a stream needs now always is (so one shard
 * larger than the cap still streams). Shards are immutable, so entries never go stale.
 */
public final class ShardCache implements AutoCloseable {
  private final long capBytes;
  private final FeedMetrics metrics;
  private final ExecutorService pool;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long heldBytes;

  private record Entry(CompletableFuture<byte[]> bytes, long size) {}

  public ShardCache(long capBytes, int threads, FeedMetrics metrics) {
    this.capBytes = capBytes;
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

  /** The shard's bytes, fetching it if needed. */
  public CompletableFuture<byte[]> get(Dataset dataset, long version, Shard shard) {
    return lookup(dataset, version, shard, false);
  }

  /** Starts fetching the shard if it is not cached and the cap allows; returns at once. */
  public void prefetch(Dataset dataset, long version, Shard shard) {
    lookup(dataset, version, shard, true);
  }

  /** Whether the shard is cached or being fetched. */
  public synchronized boolean contains(Dataset dataset, Shard shard) {
    return entries.containsKey(dataset.uri() + "/" + shard.path());
  }

  /** Bytes the cache holds or is fetching. */
  public synchronized long heldBytes() {
    return heldBytes;
  }

  private synchronized CompletableFuture<byte[]> lookup(
      Dataset dataset, long version, Shard shard, boolean prefetch) {
    String key = dataset.uri() + "/" + shard.path();
    Entry entry = entries.get(key);
    if (entry != null) {
      if (!prefetch) {
        metrics.shardCacheHits.incrementAndGet();
      }
      return entry.bytes();
    }
    evict(shard.bytes());
    if (prefetch && heldBytes + shard.bytes() > capBytes) {
      return null;
    }
    metrics.shardFetches.incrementAndGet();
    CompletableFuture<byte[]> future =
        CompletableFuture.supplyAsync(() -> fetch(dataset, version, shard), pool);
    entries.put(key, new Entry(future, shard.bytes()));
    heldBytes += shard.bytes();
    metrics.shardCachePeakBytes.accumulateAndGet(heldBytes, Math::max);
    future.whenComplete(
        (b, e) -> {
          if (e != null) {
            synchronized (this) {
              Entry removed = entries.remove(key);
              if (removed != null) {
                heldBytes -= removed.size();
              }
            }
          }
        });
    return future;
  }

  /** Drops least recently used, completed entries until {@code incoming} more bytes fit. */
  private void evict(long incoming) {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (heldBytes + incoming > capBytes && it.hasNext()) {
      Entry e = it.next().getValue();
      if (e.bytes().isDone()) {
        it.remove();
        heldBytes -= e.size();
      }
    }
  }

  private byte[] fetch(Dataset dataset, long version, Shard shard) {
    byte[] bytes;
    try {
      bytes = dataset.store().read(shard.path());
    } catch (ObjectNotFoundException e) {
      throw MlobjErrors.shardMissing(dataset.uri(), version, dataset.store().uri(shard.path()));
    }
    metrics.storageBytes.addAndGet(bytes.length);
    String object = dataset.store().uri(shard.path());
    if (bytes.length != shard.bytes()) {
      throw MlobjErrors.sizeMismatch(dataset.uri(), version, object, shard.bytes(), bytes.length);
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length);
    if (crc.getValue() != shard.crc32c()) {
      throw MlobjErrors.checksumMismatch(
          dataset.uri(), version, object, shard.crc32c(), crc.getValue());
    }
    return bytes;
  }

  /** Waits for a fetch, counting the wait as storage time. */
  public byte[] await(CompletableFuture<byte[]> future) {
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
  }
}
