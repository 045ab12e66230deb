package io.mlobj;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of a scan, updated as shards are planned and read; safe to share between threads.
 *
 * <p>Stable API.
 */
public final class ScanMetrics {
  /** Shards read. */
  public final AtomicLong shardsRead = new AtomicLong();

  /** Shards skipped by statistics or partition values during planning. */
  public final AtomicLong shardsSkipped = new AtomicLong();

  /** Bytes fetched from the store. */
  public final AtomicLong bytesRead = new AtomicLong();

  /** Nanoseconds spent computing checksums. */
  public final AtomicLong checksumNanos = new AtomicLong();

  /** Nanoseconds spent waiting for the store. */
  public final AtomicLong fetchNanos = new AtomicLong();

  /** Rows returned. */
  public final AtomicLong rowsRead = new AtomicLong();

  @Override
  public String toString() {
    return String.format(
        "shardsRead=%d shardsSkipped=%d bytesRead=%d checksumMs=%.1f fetchMs=%.1f rows=%d",
        shardsRead.get(),
        shardsSkipped.get(),
        bytesRead.get(),
        checksumNanos.get() / 1e6,
        fetchNanos.get() / 1e6,
        rowsRead.get());
  }
}
