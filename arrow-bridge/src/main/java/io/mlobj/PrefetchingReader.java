package io.mlobj;

import io.mlobj.arrow.BatchReader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Reads tasks in order while fetching the next shards in the background. Memory is bounded: at most
 * {@code aheadShards} shards, and no more than {@code aheadBytes} bytes of them, are held besides
 * the one being decoded.
 */
final class PrefetchingReader implements BatchReader {
  private final Scan scan;
  private final List<ScanTask> tasks;
  private final BufferAllocator allocator;
  private final int aheadShards;
  private final long aheadBytes;
  private final Deque<Pending> pending = new ArrayDeque<>();
  private final ExecutorService fetches;
  private int nextToFetch;
  private long bytesInFlight;
  private BatchReader current;
  private VectorSchemaRoot emptyRoot;

  private record Pending(ScanTask task, CompletableFuture<byte[]> bytes) {}

  PrefetchingReader(
      Scan scan,
      List<ScanTask> tasks,
      BufferAllocator allocator,
      int aheadShards,
      long aheadBytes) {
    this.scan = scan;
    this.tasks = tasks;
    this.allocator = allocator;
    this.aheadShards = aheadShards;
    this.aheadBytes = aheadBytes;
    this.fetches = ShardIo.ownedPool("shard-fetch", Math.max(1, aheadShards));
  }

  private void fill() {
    while (nextToFetch < tasks.size()
        && (pending.isEmpty()
            || (pending.size() < Math.max(1, aheadShards)
                && bytesInFlight + tasks.get(nextToFetch).shard().bytes() <= aheadBytes))) {
      ScanTask task = tasks.get(nextToFetch++);
      bytesInFlight += task.shard().bytes();
      pending.add(
          new Pending(task, CompletableFuture.supplyAsync(() -> scan.fetch(task), fetches)));
    }
  }

  @Override
  public boolean next() {
    while (true) {
      if (current != null) {
        if (current.next()) {
          scan.metrics().rowsRead.addAndGet(current.root().getRowCount());
          return true;
        }
        current.close();
        current = null;
      }
      fill();
      Pending next = pending.poll();
      if (next == null) {
        return false;
      }
      byte[] bytes;
      try {
        bytes = next.bytes().join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException re) {
          throw re;
        }
        throw e;
      } finally {
        bytesInFlight -= next.task().shard().bytes();
      }
      fill();
      current = scan.openFetched(next.task(), bytes, allocator);
    }
  }

  @Override
  public VectorSchemaRoot root() {
    if (current != null) {
      return current.root();
    }
    if (emptyRoot == null) {
      emptyRoot = VectorSchemaRoot.create(scan.schema(), allocator);
    }
    return emptyRoot;
  }

  @Override
  public void close() {
    if (current != null) {
      current.close();
      current = null;
    }
    for (Pending p : pending) {
      p.bytes().cancel(true);
    }
    pending.clear();
    fetches.shutdownNow();
    if (emptyRoot != null) {
      emptyRoot.close();
    }
  }
}
