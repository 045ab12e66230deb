package io.mlobj.feed.internal;

import io.mlobj.Dataset;
import io.mlobj.Predicate;
import io.mlobj.Scan;
import io.mlobj.ScanTask;
import io.mlobj.Snapshot;
import io.mlobj.feed.plan.CompactTasks;
import io.mlobj.feed.plan.SamplePlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Plans epochs and remembers the last few, so the ranks and workers of one job, which all ask for
 * the same (version, predicate, seed, epoch), plan once.
 */
public final class EpochPlanner {
  /** The blocks of a version that match a predicate, with the matching rows of each block. */
  public record Selection(List<ScanTask> blocks, int[][] rows) {
    /** Row of the block holding the {@code i}-th selected sample of the block. */
    public int row(int block, int i) {
      return rows == null ? i : rows[block][i];
    }
  }

  /** A planned epoch. */
  public record Planned(Selection selection, SamplePlan plan) {}

  private final ShardCache cache;
  private final BufferAllocator allocator;
  private final Map<String, Selection> selections = lru(8);
  private final Map<String, Planned> plans = lru(16);

  public EpochPlanner(ShardCache cache, BufferAllocator allocator) {
    this.cache = cache;
    this.allocator = allocator;
  }

  /** The selection (blocks and rows matching the scan's filter) of a snapshot. */
  public Selection select(Snapshot snapshot, Scan scan, String predicateKey) {
    String key = snapshot + "|" + predicateKey;
    synchronized (selections) {
      Selection s = selections.get(key);
      if (s != null) {
        return s;
      }
    }
    Selection s = compute(snapshot, scan, predicateKey.isEmpty() ? null : scan.filter());
    synchronized (selections) {
      selections.put(key, s);
    }
    return s;
  }

  /** The epoch plan for a selection. */
  public Planned plan(
      Snapshot snapshot,
      Scan scan,
      String predicateKey,
      long seed,
      long epoch,
      boolean shuffle,
      int window) {
    String key =
        snapshot + "|" + predicateKey + "|" + seed + "|" + epoch + "|" + shuffle + "|" + window;
    synchronized (plans) {
      Planned p = plans.get(key);
      if (p != null) {
        return p;
      }
    }
    Selection selection = select(snapshot, scan, predicateKey);
    Planned p =
        new Planned(selection, SamplePlan.of(selection.blocks(), seed, epoch, shuffle, window));
    synchronized (plans) {
      plans.put(key, p);
    }
    return p;
  }

  private Selection compute(Snapshot snapshot, Scan scan, Predicate predicate) {
    List<ScanTask> tasks = scan.planTasks();
    if (predicate == null || predicate.columns().isEmpty()) {
      // Held for as long as the selection is cached: compactly, without the shards' statistics.
      return new Selection(CompactTasks.of(tasks), null);
    }
    // Evaluate the predicate on its own columns only, block by block.
    Schema full = snapshot.schema();
    List<Field> fields = new ArrayList<>();
    for (String column : predicate.columns()) {
      fields.add(full.findField(column));
    }
    Schema schema = new Schema(fields);
    Dataset dataset = snapshot.dataset();
    List<ScanTask> kept = new ArrayList<>();
    List<int[]> rows = new ArrayList<>();
    for (ScanTask task : tasks) {
      // Pinned while decoding: an unpinned shard may be evicted, and a mapping then released.
      CompletableFuture<ShardBytes> pinned =
          cache.acquire(dataset, snapshot.version(), task.shard());
      try (Blocks.Decoded block =
          Blocks.decode(
              dataset.uri(),
              snapshot.version(),
              dataset.objectUri(task.shard().path()),
              task,
              cache.await(pinned),
              schema,
              allocator)) {
        int n = block.root().getRowCount();
        int[] match = new int[n];
        int m = 0;
        for (int r = 0; r < n; r++) {
          if (predicate.test(block.root(), r)) {
            match[m++] = r;
          }
        }
        if (m > 0) {
          kept.add(
              new ScanTask(task.shard(), task.firstBatch(), task.batchCount(), m, task.firstRow()));
          rows.add(java.util.Arrays.copyOf(match, m));
        }
      } finally {
        cache.release(dataset, task.shard());
      }
    }
    return new Selection(CompactTasks.of(kept), rows.toArray(new int[0][]));
  }

  private static <V> Map<String, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }
}
