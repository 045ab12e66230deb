package io.mlobj;

import io.mlobj.arrow.BatchReader;
import io.mlobj.internal.format.ManifestRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A planned read of one snapshot: selected columns, a filter, and the tasks that cover the matching
 * shards. Built by {@link ScanBuilder}. Reading never lists the data prefix: the manifests name
 * every shard.
 *
 * <p>Stable API.
 */
public final class Scan {
  private final Snapshot snapshot;
  private final List<String> columns;
  private final Predicate filter;
  private final boolean filterRows;
  private final int batchRows;
  private final long targetSplitRows;
  private final boolean verifyChecksums;
  private final int readAheadShards;
  private final long readAheadBytes;
  private final Schema schema;
  private final ScanMetrics metrics = new ScanMetrics();
  private List<ScanTask> tasks;

  Scan(
      Snapshot snapshot,
      List<String> columns,
      Predicate filter,
      boolean filterRows,
      int batchRows,
      long targetSplitRows,
      boolean verifyChecksums,
      int readAheadShards,
      long readAheadBytes) {
    this.snapshot = snapshot;
    this.columns = List.copyOf(columns);
    this.filter = filter;
    this.filterRows = filterRows;
    this.batchRows = batchRows;
    this.targetSplitRows = targetSplitRows;
    this.verifyChecksums = verifyChecksums;
    this.readAheadShards = readAheadShards;
    this.readAheadBytes = readAheadBytes;
    Schema full = snapshot.schema();
    List<Field> fields = new ArrayList<>();
    for (String column : this.columns) {
      fields.add(full.findField(column));
    }
    this.schema = new Schema(fields, full.getCustomMetadata());
  }

  /** The snapshot being read. */
  public Snapshot snapshot() {
    return snapshot;
  }

  /** The schema of the batches: the selected columns. */
  public Schema schema() {
    return schema;
  }

  /** The filter. */
  public Predicate filter() {
    return filter;
  }

  /** Counters of this scan. */
  public ScanMetrics metrics() {
    return metrics;
  }

  /**
   * The shards that may match the filter (plans once). Manifests whose partition values cannot
   * match are skipped unread, so a partition-filtered plan reads only the matching manifests.
   */
  public synchronized List<ScanTask> planTasks() {
    if (tasks == null) {
      List<ScanTask> planned = new ArrayList<>();
      for (ManifestRef ref : snapshot.manifests()) {
        if (!mightHold(ref, filter)) {
          metrics.shardsSkipped.addAndGet(ref.shards());
          continue;
        }
        for (Shard shard : snapshot.dataset().log().manifest(ref).shards()) {
          if (!filter.mightMatch(shard)) {
            metrics.shardsSkipped.incrementAndGet();
            continue;
          }
          planned.addAll(split(shard, targetSplitRows));
        }
      }
      tasks = List.copyOf(planned);
    }
    return tasks;
  }

  /** Most partition-value combinations probed per manifest; past it the manifest is read. */
  private static final int MAX_PROBES = 4096;

  /**
   * Whether a manifest may hold a matching shard, judged from its partition values alone: the
   * filter is tried on every combination of the listed values of the partition columns it reads,
   * and of null for each (a null partition value is absent from the shard and from the list).
   */
  static boolean mightHold(ManifestRef ref, Predicate filter) {
    Map<String, List<String>> values = ref.partitionValues();
    if (values == null) {
      return true;
    }
    List<String> columns = new ArrayList<>();
    long combinations = 1;
    for (String column : filter.columns()) {
      List<String> listed = values.get(column);
      if (listed != null) {
        columns.add(column);
        combinations *= listed.size() + 1;
        if (combinations > MAX_PROBES) {
          return true;
        }
      }
    }
    if (columns.isEmpty()) {
      return true;
    }
    return anyCombination(columns, 0, new java.util.HashMap<>(), values, filter);
  }

  private static boolean anyCombination(
      List<String> columns,
      int index,
      Map<String, String> probe,
      Map<String, List<String>> values,
      Predicate filter) {
    if (index == columns.size()) {
      Map<String, ColumnStats> nulls = new java.util.HashMap<>();
      columns.forEach(c -> nulls.put(c, new ColumnStats(null, null, 1)));
      probe.keySet().forEach(nulls::remove);
      return filter.mightMatch(new Shard("", null, 1, 0, 0, null, nulls, probe, null));
    }
    String column = columns.get(index);
    for (String value : values.get(column)) {
      probe.put(column, value);
      if (anyCombination(columns, index + 1, probe, values, filter)) {
        return true;
      }
    }
    probe.remove(column);
    return anyCombination(columns, index + 1, probe, values, filter);
  }

  /** Splits a shard into tasks of about {@code targetRows} rows at batch boundaries. */
  public static List<ScanTask> split(Shard shard, long targetRows) {
    List<Long> batches = shard.batchRows();
    if (batches.size() <= 1 || shard.rows() <= targetRows) {
      return List.of(ScanTask.whole(shard));
    }
    List<ScanTask> out = new ArrayList<>();
    int first = 0;
    long rows = 0;
    long firstRow = 0;
    for (int i = 0; i < batches.size(); i++) {
      rows += batches.get(i);
      if (rows >= targetRows || i == batches.size() - 1) {
        out.add(new ScanTask(shard, first, i - first + 1, rows, firstRow));
        firstRow += rows;
        first = i + 1;
        rows = 0;
      }
    }
    return out;
  }

  /** Reads every planned task in order, fetching shards ahead within the read-ahead budget. */
  public BatchReader open(BufferAllocator allocator) {
    return open(planTasks(), allocator);
  }

  /** Reads these tasks in order, fetching shards ahead within the read-ahead budget. */
  public BatchReader open(List<ScanTask> tasks, BufferAllocator allocator) {
    BatchReader reader =
        new PrefetchingReader(this, tasks, allocator, readAheadShards, readAheadBytes);
    return filterRows ? new FilteringBatchReader(reader, filter, schema, allocator) : reader;
  }

  /** Reads one task (fetches and verifies its shard). */
  public BatchReader openTask(ScanTask task, BufferAllocator allocator) {
    byte[] bytes = fetch(task);
    BatchReader reader = openFetched(task, bytes, allocator);
    return filterRows ? new FilteringBatchReader(reader, filter, schema, allocator) : reader;
  }

  byte[] fetch(ScanTask task) {
    Dataset dataset = snapshot.dataset();
    return ShardIo.fetch(
        dataset.store(),
        dataset.localCache(),
        snapshot.version(),
        task.shard(),
        verifyChecksums,
        metrics);
  }

  BatchReader openFetched(ScanTask task, byte[] bytes, BufferAllocator allocator) {
    return ShardIo.open(
        snapshot.dataset().store(), snapshot.version(), task, bytes, schema, allocator, batchRows);
  }

  /** Facts for an engine's optimizer: rows and bytes of the planned tasks. */
  public Map<String, Long> estimate() {
    long rows = 0;
    long bytes = 0;
    for (ScanTask task : planTasks()) {
      rows += task.rows();
      bytes += task.shard().bytes() * task.rows() / Math.max(1, task.shard().rows());
    }
    return Map.of("rows", rows, "bytes", bytes);
  }
}
