package io.mlobj.ops;

import io.mlobj.Commit;
import io.mlobj.Dataset;
import io.mlobj.MlobjErrors;
import io.mlobj.Shard;
import io.mlobj.ShardCodec;
import io.mlobj.ShardCodecs;
import io.mlobj.ShardFormat;
import io.mlobj.Snapshot;
import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.StatsCollector;
import io.mlobj.store.ObjectNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Adopts Parquet or Arrow IPC files that already sit under a dataset's root (written by pyarrow,
 * Spark, DuckDB...) as shards of a new version, without rewriting them: each file is read once to
 * take its schema, row groups / record batches, statistics and CRC32C. The files' schema is merged
 * into the dataset's like any append (new nullable columns only).
 *
 * <pre>{@code
 * Snapshot v = Importer.importFiles(dataset, List.of("incoming/part-0.parquet", "incoming/part-1.arrow"));
 * }</pre>
 *
 * <p>Stable API.
 */
public final class Importer {
  private Importer() {}

  /**
   * @param keys object keys relative to the dataset root; {@code .parquet}, or {@code .arrow},
   *     {@code .feather}, {@code .ipc} for Arrow IPC files
   */
  public static Snapshot importFiles(Dataset dataset, List<String> keys) {
    if (keys.isEmpty()) {
      throw MlobjErrors.badOption("files", "[]", "at least one file to import");
    }
    List<Shard> shards = new ArrayList<>();
    Schema schema = null;
    try (BufferAllocator allocator = new RootAllocator()) {
      for (String key : keys) {
        Described described = describe(dataset, key, allocator);
        if (schema == null) {
          schema = described.schema();
        }
        shards.add(described.shard());
      }
    }
    Commit commit =
        dataset
            .newAppend()
            .schema(schema)
            .addShards(shards)
            .summary("imported-files", String.valueOf(keys.size()));
    return commit.commit();
  }

  private record Described(Shard shard, Schema schema) {}

  private static Described describe(Dataset dataset, String key, BufferAllocator allocator) {
    String object = dataset.store().uri(key);
    byte[] bytes;
    try {
      bytes = dataset.store().read(key);
    } catch (ObjectNotFoundException e) {
      throw MlobjErrors.badOption("files", object, "an existing file under the dataset root");
    }
    ShardCodec codec =
        ShardCodecs.forFile(key)
            .orElseThrow(
                () ->
                    MlobjErrors.badOption(
                        "files",
                        object,
                        "a file ending with one of " + ShardCodecs.fileExtensions()));
    ShardFormat format = codec.format();
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length);
    StatsCollector stats = new StatsCollector();
    List<Long> batchRows = new ArrayList<>();
    long rows = 0;
    Schema schema;
    ShardCodec.Source source = ShardCodec.Source.of(bytes);
    try (BatchReader reader = codec.open(source, null, allocator, 0, -1, Integer.MAX_VALUE)) {
      schema = reader.root().getSchema();
      while (reader.next()) {
        stats.add(reader.root());
        rows += reader.root().getRowCount();
        batchRows.add((long) reader.root().getRowCount());
      }
      batchRows = codec.blockRows(source, batchRows);
    } catch (Exception e) {
      throw MlobjErrors.unreadableShard(dataset.uri(), 0, object, String.valueOf(e.getMessage()));
    }
    Shard shard =
        new Shard(
            key,
            format,
            rows,
            bytes.length,
            crc.getValue(),
            batchRows,
            stats.result(),
            Map.of(),
            Map.of("imported", "true"));
    return new Described(shard, schema);
  }
}
