package io.mlobj;

import io.mlobj.arrow.BatchReader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads planned {@link ScanTask}s where they are executed, without planning again: a driver plans a
 * {@link Scan}, ships each task with its version and the projected schema to workers, and every
 * worker opens the tasks it was given through a task reader of a {@link Dataset#at} handle. Spark's
 * partition readers and Flink's split reader read this way, and so do the kernel's own {@code
 * Compactor} and {@code Verifier}.
 *
 * <pre>{@code
 * // driver: plan, then ship each task, its version and the schema to the workers
 * Scan scan = dataset.latest().newScan().select("image", "label").build();
 * List<ScanTask> tasks = scan.planTasks();
 * String schema = SchemaCodec.toBase64(scan.schema());
 * // worker
 * TaskReader reader = Dataset.at(uri, conf)
 *     .newTaskReader(SchemaCodec.fromBase64(schema)).batchRows(4096).build();
 * try (BatchReader batches = reader.open(version, task, allocator)) {
 *   while (batches.next()) { VectorSchemaRoot batch = batches.root(); ... }
 * }
 * }</pre>
 *
 * <p>Each {@link #open} fetches the task's shard (from the dataset's local cache when it holds the
 * shard), checks its size and, unless turned off, its CRC32C against the manifest, and decodes it
 * with the format's codec. A task reader holds no resources and is thread-safe; the caller closes
 * every {@link BatchReader} it opens, before the allocator. Stable API.
 */
public final class TaskReader {
  private final Dataset dataset;
  private final Schema schema;
  private final int batchRows;
  private final boolean verifyChecksums;
  private final ScanMetrics metrics;

  private TaskReader(Builder builder) {
    this.dataset = builder.dataset;
    this.schema = builder.schema;
    this.batchRows = builder.batchRows;
    this.verifyChecksums = builder.verifyChecksums;
    this.metrics = builder.metrics;
  }

  /** The columns this reader reads. */
  public Schema schema() {
    return schema;
  }

  /**
   * Reads one task: fetches and verifies its shard, then returns its batches.
   *
   * @param version the version the task was planned from (named in errors)
   * @param task the task, as {@link Scan#planTasks()} planned it
   * @param allocator where the batches live; close the reader before it
   * @throws MlobjException naming dataset, version and object when the shard is missing, damaged or
   *     cannot be decoded
   */
  public BatchReader open(long version, ScanTask task, BufferAllocator allocator) {
    byte[] bytes =
        ShardIo.fetch(
            dataset.store(), dataset.localCache(), version, task.shard(), verifyChecksums, metrics);
    return ShardIo.open(dataset.store(), version, task, bytes, schema, allocator, batchRows);
  }

  /** Configures a {@link TaskReader}; obtained from {@link Dataset#newTaskReader}. */
  public static final class Builder {
    private final Dataset dataset;
    private final Schema schema;
    private int batchRows = 8192;
    private boolean verifyChecksums = true;
    private ScanMetrics metrics;

    Builder(Dataset dataset, Schema schema) {
      if (schema == null) {
        throw MlobjErrors.badOption("schema", "null", "the columns to read");
      }
      this.dataset = dataset;
      this.schema = schema;
    }

    /** Maximum rows per batch read from Parquet (default 8192, as {@link ScanBuilder}). */
    public Builder batchRows(int batchRows) {
      if (batchRows <= 0) {
        throw MlobjErrors.badOption("batchRows", String.valueOf(batchRows), "a positive number");
      }
      this.batchRows = batchRows;
      return this;
    }

    /** Verify each shard's CRC32C against the manifest (default true). */
    public Builder verifyChecksums(boolean verify) {
      this.verifyChecksums = verify;
      return this;
    }

    /** Counters that every read of this reader adds to (fetches, bytes, time); default none. */
    public Builder metrics(ScanMetrics metrics) {
      this.metrics = metrics;
      return this;
    }

    /** The reader. */
    public TaskReader build() {
      return new TaskReader(this);
    }
  }
}
