package io.mlobj.ops;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.ScanTask;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.Snapshot;
import io.mlobj.TaskReader;
import io.mlobj.arrow.BatchReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Rewrites many small shards (e.g. one per Flink checkpoint) into target-size shards, per
 * partition, and commits the swap as one {@code replace} version. Rows are unchanged; concurrent
 * appends are fine, while a concurrent overwrite of the same shards makes the commit fail cleanly
 * (the new shards are then deleted).
 *
 * <pre>{@code
 * Optional<Snapshot> compacted = Compactor.builder(dataset).targetShardBytes(128 << 20).build().run();
 * }</pre>
 *
 * <p>Stable API.
 */
public final class Compactor {
  private final Dataset dataset;
  private final long targetShardBytes;
  private final long smallShardBytes;
  private final ShardFormat format;
  private final String compression;

  private Compactor(Builder b) {
    this.dataset = b.dataset;
    this.targetShardBytes = b.targetShardBytes;
    this.smallShardBytes = b.smallShardBytes > 0 ? b.smallShardBytes : b.targetShardBytes / 2;
    this.format = b.format;
    this.compression = b.compression;
  }

  public static Builder builder(Dataset dataset) {
    return new Builder(dataset);
  }

  /** Compacts the latest version; empty if there was nothing worth rewriting. */
  public java.util.Optional<Snapshot> run(Progress progress) {
    Snapshot snapshot = dataset.latest();
    Map<Map<String, String>, List<Shard>> small = new LinkedHashMap<>();
    for (Shard shard : snapshot.shards()) {
      if (shard.bytes() < smallShardBytes) {
        small.computeIfAbsent(shard.partition(), k -> new ArrayList<>()).add(shard);
      }
    }
    small.values().removeIf(group -> group.size() < 2);
    if (small.isEmpty()) {
      return java.util.Optional.empty();
    }
    long total = small.values().stream().mapToLong(List::size).sum();
    long done = 0;
    List<Shard> removed = new ArrayList<>();
    List<Shard> added = new ArrayList<>();
    TaskReader tasks = dataset.newTaskReader(snapshot.schema()).build();
    try (BufferAllocator allocator = new RootAllocator()) {
      for (List<Shard> group : small.values()) {
        try (DatasetWriter writer =
            dataset
                .newWriter(snapshot.schema())
                .format(format)
                .compression(compression)
                .targetShardBytes(targetShardBytes)
                .partitionBy(snapshot.partitionColumns())
                .build(allocator)) {
          long bytes = 0;
          for (Shard shard : group) {
            try (BatchReader reader =
                tasks.open(snapshot.version(), ScanTask.whole(shard), allocator)) {
              while (reader.next()) {
                writer.write(reader.root());
              }
            }
            bytes += shard.bytes();
            progress.update(++done, total, bytes);
          }
          added.addAll(writer.complete());
          removed.addAll(group);
        }
      }
    }
    try {
      return java.util.Optional.of(
          dataset
              .newReplace()
              .readVersion(snapshot.version())
              .removeShards(removed)
              .addShards(added)
              .summary("compacted-shards", String.valueOf(removed.size()))
              .commit());
    } catch (io.mlobj.commit.CommitFailedException e) {
      for (Shard shard : added) {
        dataset.store().delete(shard.path());
      }
      throw e;
    }
  }

  /** Configures a {@link Compactor}. */
  public static final class Builder {
    private final Dataset dataset;
    private long targetShardBytes = 128L << 20;
    private long smallShardBytes = -1;
    private ShardFormat format = ShardFormat.PARQUET;
    private String compression;

    Builder(Dataset dataset) {
      this.dataset = dataset;
    }

    /** Size of the rewritten shards (default 128 MiB). */
    public Builder targetShardBytes(long bytes) {
      this.targetShardBytes = bytes;
      return this;
    }

    /** Shards below this size are rewritten (default half the target). */
    public Builder smallShardBytes(long bytes) {
      this.smallShardBytes = bytes;
      return this;
    }

    /** Format of the rewritten shards (default Parquet). */
    public Builder format(ShardFormat format) {
      this.format = format;
      return this;
    }

    /** Compression of the rewritten shards. */
    public Builder compression(String compression) {
      this.compression = compression;
      return this;
    }

    public Compactor build() {
      return new Compactor(this);
    }
  }
}
