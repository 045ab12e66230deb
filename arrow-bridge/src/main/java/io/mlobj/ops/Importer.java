package io.mlobj.ops;

import io.mlobj.Commit;
import io.mlobj.Dataset;
import io.mlobj.MlobjErrors;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.Snapshot;
import io.mlobj.arrow.ArrowIpcBatchReader;
import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.ByteArrayInputFile;
import io.mlobj.arrow.ParquetBatchReader;
import io.mlobj.arrow.StatsCollector;
import io.mlobj.store.ObjectNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;

/**
 * Adopts Parquet or Arrow IPC files that already sit under a dataset's root (written by pyarrow,
 * Spark, DuckDB...) as shards of a new version, without rewriting them: each file is read once to
 * take its schema, row groups / record batches, statistics and CRC32C. The files' schema is merged
 * into the dataset's like any append (new nullable columns only).
 *
 * <pre>{@code
 * Snapshot v = Importer.importFiles(dataset, List.of("incoming/part-0.parquet", "incoming/part-1.arrow"));
 * }</pre>
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
    ShardFormat format = formatOf(key, object);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length);
    StatsCollector stats = new StatsCollector();
    List<Long> batchRows = new ArrayList<>();
    long rows = 0;
    Schema schema;
    try (BatchReader reader =
        format == ShardFormat.PARQUET
            ? new ParquetBatchReader(bytes, null, allocator, 0, -1, Integer.MAX_VALUE)
            : new ArrowIpcBatchReader(bytes, null, allocator, 0, -1)) {
      schema = reader.root().getSchema();
      while (reader.next()) {
        stats.add(reader.root());
        rows += reader.root().getRowCount();
        if (format == ShardFormat.ARROW) {
          batchRows.add((long) reader.root().getRowCount());
        }
      }
      if (format == ShardFormat.PARQUET) {
        batchRows = rowGroups(bytes);
      }
    } catch (IOException | RuntimeException e) {
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

  private static List<Long> rowGroups(byte[] bytes) throws IOException {
    try (ParquetFileReader footer =
        ParquetFileReader.open(
            new ByteArrayInputFile(bytes), io.mlobj.arrow.ParquetReadDefaults.options())) {
      return footer.getFooter().getBlocks().stream().map(BlockMetaData::getRowCount).toList();
    }
  }

  private static ShardFormat formatOf(String key, String object) {
    String k = key.toLowerCase(Locale.ROOT);
    if (k.endsWith(".parquet") || k.endsWith(".parq")) {
      return ShardFormat.PARQUET;
    }
    if (k.endsWith(".arrow") || k.endsWith(".feather") || k.endsWith(".ipc")) {
      return ShardFormat.ARROW;
    }
    throw MlobjErrors.badOption("files", object, "a .parquet, .arrow, .feather or .ipc file");
  }
}
