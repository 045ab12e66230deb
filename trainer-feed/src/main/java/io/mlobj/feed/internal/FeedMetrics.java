package io.mlobj.feed.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.cache.LocalCache;
import java.util.concurrent.atomic.AtomicLong;

/** Counters of a feed server; cheap to update from many streams. */
public final class FeedMetrics {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final long startNanos = System.nanoTime();
  public final AtomicLong samples = new AtomicLong();
  public final AtomicLong batches = new AtomicLong();
  public final AtomicLong bytes = new AtomicLong();
  public final AtomicLong storageBytes = new AtomicLong();
  public final AtomicLong storageWaitNanos = new AtomicLong();
  public final AtomicLong clientWaitNanos = new AtomicLong();
  public final AtomicLong processNanos = new AtomicLong();
  public final AtomicLong prepareWaitNanos = new AtomicLong();
  public final AtomicLong streamNanos = new AtomicLong();
  public final AtomicLong streamsStarted = new AtomicLong();
  public final AtomicLong streamsActive = new AtomicLong();
  public final AtomicLong streamsFailed = new AtomicLong();
  public final AtomicLong shardFetches = new AtomicLong();
  public final AtomicLong shardCacheHits = new AtomicLong();
  public final AtomicLong shardCachePeakBytes = new AtomicLong();
  private volatile LocalCache localCache;

  /** Reports this local disk cache's counters too (none when null). */
  public void reportLocalCache(LocalCache cache) {
    this.localCache = cache;
  }

  /**
   * A JSON snapshot. Rates are per second of streaming time (summed over streams), so an idle
   * server does not dilute them; {@code storage_wait_s} is time streams were blocked on shard
   * fetches, {@code client_wait_s} time they were blocked by a slow client (back-pressure), {@code
   * process_s} time spent gathering and preprocessing, {@code prepare_wait_s} time the sending
   * thread waited for a prepared batch; {@code local_cache}, when the server has one, counts the
   * shard reads its local disk cache answered.
   */
  public ObjectNode toJson() {
    ObjectNode n = JSON.createObjectNode();
    double streamS = streamNanos.get() / 1e9;
    n.put("uptime_s", (System.nanoTime() - startNanos) / 1e9);
    n.put("samples", samples.get());
    n.put("batches", batches.get());
    n.put("bytes", bytes.get());
    n.put("storage_bytes", storageBytes.get());
    n.put("stream_s", streamS);
    n.put("samples_per_s", streamS > 0 ? samples.get() / streamS : 0);
    n.put("bytes_per_s", streamS > 0 ? bytes.get() / streamS : 0);
    n.put("storage_wait_s", storageWaitNanos.get() / 1e9);
    n.put("client_wait_s", clientWaitNanos.get() / 1e9);
    n.put("process_s", processNanos.get() / 1e9);
    n.put("prepare_wait_s", prepareWaitNanos.get() / 1e9);
    n.put("streams_started", streamsStarted.get());
    n.put("streams_active", streamsActive.get());
    n.put("streams_failed", streamsFailed.get());
    n.put("shard_fetches", shardFetches.get());
    n.put("shard_cache_hits", shardCacheHits.get());
    n.put("shard_cache_peak_bytes", shardCachePeakBytes.get());
    LocalCache disk = localCache;
    if (disk != null) {
      LocalCache.Stats stats = disk.stats();
      ObjectNode d = n.putObject("local_cache");
      d.put("dir", disk.dir().toString());
      d.put("cap_bytes", disk.capBytes());
      d.put("held_bytes", stats.heldBytes());
      d.put("hits", stats.hits());
      d.put("misses", stats.misses());
      d.put("hit_bytes", stats.hitBytes());
      d.put("evictions", stats.evictions());
    }
    return n;
  }
}
