package io.mlobj;

import io.mlobj.arrow.ShardEncoder;
import io.mlobj.internal.arrow.StatsCollector;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.internal.format.PartitionCodec;
import io.mlobj.store.ObjectStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.Text;

/**
 * Writes Arrow batches as shards of a dataset: splits rows by partition values, rolls shards at the
 * target size, uploads each finished shard (with {@code x-amz-meta-mlobj-*} metadata) and returns
 * their descriptions. Nothing becomes visible until the shards are committed ({@link
 * Dataset#newAppend()} and friends). Not thread-safe: one writer per task.
 *
 * <pre>{@code
 * try (DatasetWriter writer = dataset.newWriter(schema).format(ShardFormat.ARROW).build(allocator)) {
 *   writer.write(batch);
 *   dataset.newAppend().addShards(writer.complete()).commit();
 * }
 * }</pre>
 *
 * <p>If the writer is closed without {@link #complete()}, or {@link #abort()} is called, the shards
 * it uploaded are deleted (best effort; vacuum removes any left after a crash).
 *
 * <p>Stable API.
 */
public final class DatasetWriter implements AutoCloseable {
  private final Dataset dataset;
  private final Schema schema;
  private final Options options;
  private final BufferAllocator allocator;
  private final String writeId = UUID.randomUUID().toString().substring(0, 8);
  private final long startedMillis = System.currentTimeMillis();
  private final Map<String, Open> open = new LinkedHashMap<>();
  private final List<Shard> written = new ArrayList<>();
  private boolean completed;
  private java.util.concurrent.CompletableFuture<Void> pendingUpload;

  /** Uploads one shard while the next is encoded; created on first use, shut down when done. */
  private java.util.concurrent.ExecutorService uploads;

  /** Writer settings. */
  public record Options(
      ShardFormat format,
      String compression,
      long targetShardBytes,
      long rowGroupBytes,
      List<String> partitionBy,
      Map<String, String> shardProperties,
      long baseVersion) {}

  private static final class Open {
    final ShardEncoder encoder;
    final StatsCollector stats = new StatsCollector();
    final Map<String, String> partition;

    Open(ShardEncoder encoder, Map<String, String> partition) {
      this.encoder = encoder;
      this.partition = partition;
    }
  }

  DatasetWriter(Dataset dataset, Schema schema, Options options, BufferAllocator allocator) {
    this.dataset = dataset;
    this.schema = schema;
    this.options = options;
    this.allocator = allocator;
    for (String column : options.partitionBy()) {
      if (schema.getFields().stream().noneMatch(f -> f.getName().equals(column))) {
        throw MlobjErrors.badOption(
            "partitionBy",
            column,
            "a column of the data; columns are "
                + schema.getFields().stream().map(f -> f.getName()).toList());
      }
    }
  }

  /**
   * When this writer was created (epoch millis): the start of its write, which a commit compares
   * with the vacuum safety window ({@link Commit#writeStartedAt}).
   */
  public long startedMillis() {
    return startedMillis;
  }

  /** The schema batches must have. */
  public Schema schema() {
    return schema;
  }

  /** Writes all rows of a batch. */
  public void write(VectorSchemaRoot batch) {
    if (completed) {
      throw new IllegalStateException("Cannot write: the writer is already complete.");
    }
    if (batch.getRowCount() == 0) {
      return;
    }
    if (options.partitionBy().isEmpty()) {
      writeTo(Map.of(), batch);
      return;
    }
    Map<Map<String, String>, List<Integer>> rowsByPartition = new LinkedHashMap<>();
    for (int row = 0; row < batch.getRowCount(); row++) {
      Map<String, String> key = new TreeMap<>();
      for (String column : options.partitionBy()) {
        FieldVector vector = batch.getVector(column);
        if (!vector.isNull(row)) {
          Object value = vector.getObject(row);
          key.put(column, value instanceof Text t ? t.toString() : String.valueOf(value));
        }
      }
      rowsByPartition.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
    }
    if (rowsByPartition.size() == 1) {
      writeTo(rowsByPartition.keySet().iterator().next(), batch);
      return;
    }
    for (Map.Entry<Map<String, String>, List<Integer>> e : rowsByPartition.entrySet()) {
      try (VectorSchemaRoot part = VectorSchemaRoot.create(batch.getSchema(), allocator)) {
        part.allocateNew();
        List<FieldVector> from = batch.getFieldVectors();
        List<FieldVector> to = part.getFieldVectors();
        int out = 0;
        for (int row : e.getValue()) {
          for (int c = 0; c < to.size(); c++) {
            to.get(c).copyFromSafe(row, out, from.get(c));
          }
          out++;
        }
        part.setRowCount(out);
        writeTo(e.getKey(), part);
      }
    }
  }

  private void writeTo(Map<String, String> partition, VectorSchemaRoot batch) {
    String key = PartitionCodec.keyPath(partition);
    Open shard = open.get(key);
    if (shard == null) {
      shard = new Open(newEncoder(), partition);
      open.put(key, shard);
    }
    shard.encoder.write(batch);
    shard.stats.add(batch);
    if (shard.encoder.estimatedBytes() >= options.targetShardBytes()) {
      open.remove(key);
      finishShard(shard);
    }
  }

  private ShardEncoder newEncoder() {
    int initial =
        (int) Math.min(options.targetShardBytes() + (options.targetShardBytes() >> 3), 1 << 26);
    return ShardCodecs.of(options.format())
        .newEncoder(schema, options.compression(), options.rowGroupBytes(), allocator, initial);
  }

  private void finishShard(Open shard) {
    ShardEncoder.Encoded encoded;
    try (ShardEncoder encoder = shard.encoder) {
      encoded = encoder.finish();
    }
    String key = shardKey(shard.partition);
    Map<String, String> meta = new HashMap<>();
    meta.put("mlobj-dataset", dataset.uri());
    meta.put("mlobj-version", String.valueOf(options.baseVersion() + 1));
    meta.put("mlobj-write-id", writeId);
    meta.put("mlobj-rows", String.valueOf(shard.encoder.rows()));
    Shard described =
        new Shard(
            key,
            options.format(),
            shard.encoder.rows(),
            encoded.bytes().length,
            ShardIo.crc32c(encoded.bytes()),
            encoded.batchRows(),
            shard.stats.result(),
            shard.partition,
            options.shardProperties());
    // Upload in the background while the next shard is encoded; at most one upload is in flight,
    // so memory stays bounded by two shards.
    awaitUpload();
    ObjectStore store = dataset.store();
    if (uploads == null) {
      uploads = ShardIo.ownedPool("shard-upload", 1);
    }
    pendingUpload =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> {
              store.put(key, encoded.bytes(), meta);
              synchronized (written) {
                written.add(described);
              }
            },
            uploads);
  }

  private void awaitUpload() {
    if (pendingUpload == null) {
      return;
    }
    try {
      pendingUpload.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    } finally {
      pendingUpload = null;
    }
  }

  /** {@code data/<2 hex>/[col=value/...]<write id>-<uuid>.<ext>}: hashed prefixes spread load. */
  private String shardKey(Map<String, String> partition) {
    UUID id = UUID.randomUUID();
    String hash = String.format("%02x", (id.hashCode() & 0xff));
    String path = PartitionCodec.keyPath(partition);
    return LogLayout.DATA
        + hash
        + "/"
        + (path.isEmpty() ? "" : path + "/")
        + writeId
        + "-"
        + id
        + "."
        + options.format().extension();
  }

  /** Finishes and uploads all open shards; returns every shard this writer wrote. */
  public List<Shard> complete() {
    if (!completed) {
      for (Open shard : open.values()) {
        if (shard.encoder.rows() > 0) {
          finishShard(shard);
        } else {
          shard.encoder.close();
        }
      }
      open.clear();
      try {
        awaitUpload();
      } finally {
        stopUploads();
      }
      completed = true;
    }
    synchronized (written) {
      return List.copyOf(written);
    }
  }

  /** Deletes the shards uploaded so far (best effort) and discards open ones. */
  public void abort() {
    for (Open shard : open.values()) {
      shard.encoder.close();
    }
    open.clear();
    try {
      awaitUpload();
    } catch (RuntimeException ignored) {
      // The failed upload left nothing to delete.
    }
    dataset.deleteUncommitted(written);
    written.clear();
    completed = true;
    stopUploads();
  }

  private void stopUploads() {
    if (uploads != null) {
      uploads.shutdown();
      uploads = null;
    }
  }

  /** Aborts the write unless {@link #complete()} ran; frees the writer's upload thread. */
  @Override
  public void close() {
    if (!completed) {
      abort();
    }
    stopUploads();
  }

  /** Configures a {@link DatasetWriter}. */
  public static final class Builder {
    private final Dataset dataset;
    private final Schema schema;
    private ShardFormat format = ShardFormat.PARQUET;
    private String compression;
    private long targetShardBytes = 128L << 20;
    private long rowGroupBytes = 32L << 20;
    private List<String> partitionBy;
    private Map<String, String> shardProperties = Map.of();

    Builder(Dataset dataset, Schema schema) {
      this.dataset = dataset;
      this.schema = schema;
    }

    /** Shard format (default Parquet). */
    public Builder format(ShardFormat format) {
      this.format = format;
      return this;
    }

    /** Compression: Parquet none/snappy (default)/zstd/gzip/lz4; Arrow none (default)/lz4/zstd. */
    public Builder compression(String compression) {
      this.compression = compression;
      return this;
    }

    /** Roll to a new shard at about this many bytes (default 128 MiB). */
    public Builder targetShardBytes(long bytes) {
      if (bytes < 1024) {
        throw MlobjErrors.badOption("targetShardBytes", String.valueOf(bytes), "at least 1024");
      }
      this.targetShardBytes = bytes;
      return this;
    }

    /** Parquet row group size (default 32 MiB); row groups are the unit of splitting a shard. */
    public Builder rowGroupBytes(long bytes) {
      if (bytes < 1024) {
        throw MlobjErrors.badOption("rowGroupBytes", String.valueOf(bytes), "at least 1024");
      }
      this.rowGroupBytes = bytes;
      return this;
    }

    /** Partition columns; default: the dataset's. */
    public Builder partitionBy(List<String> columns) {
      this.partitionBy = columns == null ? null : List.copyOf(columns);
      return this;
    }

    /** Key/values recorded on every shard. */
    public Builder shardProperties(Map<String, String> properties) {
      this.shardProperties = Map.copyOf(properties);
      return this;
    }

    /**
     * Applies engine-style options: format, compression, targetShardSize, rowGroupSize,
     * partitionBy.
     */
    public Builder options(Map<String, String> options) {
      String v = Settings.FORMAT.find(options);
      if (v != null) {
        format(ShardFormat.parse(v));
      }
      v = Settings.COMPRESSION.find(options);
      if (v != null) {
        compression(v);
      }
      v = Settings.TARGET_SHARD_SIZE.find(options);
      if (v != null) {
        targetShardBytes(MlobjConf.parseBytes(Settings.TARGET_SHARD_SIZE.name(), v));
      }
      v = Settings.ROW_GROUP_SIZE.find(options);
      if (v != null) {
        rowGroupBytes(MlobjConf.parseBytes(Settings.ROW_GROUP_SIZE.name(), v));
      }
      v = Settings.PARTITION_BY.find(options);
      if (v != null) {
        partitionBy(v.isBlank() ? List.of() : List.of(v.split("\\s*,\\s*")));
      }
      // Other options belong to the engine or the commit.
      return this;
    }

    /** Validates the settings and opens the writer. */
    public DatasetWriter build(BufferAllocator allocator) {
      // Validate the codec for the chosen format early, before any data is written.
      ShardCodecs.of(format).checkCompression(compression);
      long base = dataset.latestVersion(); // 0 when the dataset does not exist yet
      List<String> partitions = partitionBy;
      if (partitions == null) {
        partitions = base > 0 ? dataset.latest().partitionColumns() : List.of();
      }
      return new DatasetWriter(
          dataset,
          schema,
          new Options(
              format,
              compression,
              targetShardBytes,
              rowGroupBytes,
              partitions,
              shardProperties,
              base),
          allocator);
    }
  }
}
