package io.mlobj.feed.plan;

import io.mlobj.ScanTask;
import io.mlobj.Shard;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * An immutable list of scan tasks held as arrays, for the feed's epoch plans: a million-shard
 * version has millions of blocks, and a task object per block plus each shard's statistics would
 * cost more heap than the samples' order. Each shard is kept once, with what reading needs (path,
 * format, sizes, checksum, batch rows, partition); its column statistics and properties are
 * dropped, since they only serve planning, which is done. Equal batch-row lists and partitions are
 * shared. {@link #get} builds the task on each call.
 */
public final class CompactTasks extends AbstractList<ScanTask> implements RandomAccess {
  private final Shard[] shards;
  private final int[] shardOf;
  private final int[] firstBatch;
  private final int[] batchCount;
  private final long[] rows;
  private final long[] firstRow;

  private CompactTasks(List<ScanTask> tasks) {
    int n = tasks.size();
    shardOf = new int[n];
    firstBatch = new int[n];
    batchCount = new int[n];
    rows = new long[n];
    firstRow = new long[n];
    List<Shard> distinct = new ArrayList<>();
    Map<String, Integer> index = new HashMap<>();
    Map<List<Long>, List<Long>> batchRows = new HashMap<>();
    Map<Map<String, String>, Map<String, String>> partitions = new HashMap<>();
    Shard previous = null;
    for (int i = 0; i < n; i++) {
      ScanTask task = tasks.get(i);
      Shard shard = task.shard();
      int s;
      if (shard == previous) {
        s = shardOf[i - 1];
      } else {
        Integer known = index.get(shard.path());
        if (known == null || !sameForReading(distinct.get(known), shard)) {
          known = distinct.size();
          distinct.add(slim(shard, batchRows, partitions));
          index.put(shard.path(), known);
        }
        s = known;
        previous = shard;
      }
      shardOf[i] = s;
      firstBatch[i] = task.firstBatch();
      batchCount[i] = task.batchCount();
      rows[i] = task.rows();
      firstRow[i] = task.firstRow();
    }
    shards = distinct.toArray(new Shard[0]);
  }

  /** The tasks as a compact list (the list itself if it is one already). */
  public static List<ScanTask> of(List<ScanTask> tasks) {
    return tasks instanceof CompactTasks compact ? compact : new CompactTasks(tasks);
  }

  @Override
  public ScanTask get(int i) {
    return new ScanTask(shards[shardOf[i]], firstBatch[i], batchCount[i], rows[i], firstRow[i]);
  }

  @Override
  public int size() {
    return shardOf.length;
  }

  /** The path of the shard of task {@code i}, without building the task. */
  public String shardPath(int i) {
    return shards[shardOf[i]].path();
  }

  private static boolean sameForReading(Shard a, Shard b) {
    return a.format() == b.format()
        && a.rows() == b.rows()
        && a.bytes() == b.bytes()
        && a.crc32c() == b.crc32c()
        && a.batchRows().equals(b.batchRows())
        && a.partition().equals(b.partition());
  }

  private static Shard slim(
      Shard shard,
      Map<List<Long>, List<Long>> batchRows,
      Map<Map<String, String>, Map<String, String>> partitions) {
    return new Shard(
        shard.path(),
        shard.format(),
        shard.rows(),
        shard.bytes(),
        shard.crc32c(),
        batchRows.computeIfAbsent(shard.batchRows(), k -> k),
        Map.of(),
        partitions.computeIfAbsent(shard.partition(), k -> k),
        Map.of());
  }
}
