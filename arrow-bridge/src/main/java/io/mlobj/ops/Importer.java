package io.mlobj.ops;

import io.mlobj.Commit;
import io.mlobj.Dataset;
import io.mlobj.MlobjErrors;
import io.mlobj.MlobjException;
import io.mlobj.Shard;
import io.mlobj.ShardCodec;
import io.mlobj.ShardCodecs;
import io.mlobj.ShardFormat;
import io.mlobj.Snapshot;
import io.mlobj.arrow.BatchReader;
import io.mlobj.internal.arrow.StatsCollector;
import io.mlobj.internal.commit.SchemaEvolution;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.store.ObjectInfo;
import io.mlobj.store.ObjectNotFoundException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
   * Imports the files as one new version (creating the dataset if it does not exist yet).
   *
   * @param keys object keys relative to the dataset root; {@code .parquet}, or {@code .arrow},
   *     {@code .feather}, {@code .ipc} for Arrow IPC files
   */
  public static Snapshot importFiles(Dataset dataset, List<String> keys) {
    return commit(dataset, plan(dataset, keys, Progress.NONE));
  }

  /**
   * Whether a file can be imported, judged by its name: it ends (in any case) with an extension of
   * a registered codec ({@link ShardCodecs#fileExtensions()}).
   */
  public static boolean importable(String key) {
    return ShardCodecs.forFile(key).isPresent();
  }

  /**
   * The {@link #importable} files under a prefix of the dataset's root, as keys relative to the
   * root in the store's listing order, leaving out the dataset's log ({@code _mlobj/}); empty when
   * there are none. Lists every object under the prefix.
   *
   * @param prefix relative to the dataset root, e.g. {@code incoming/} ({@code ""} for all)
   */
  public static List<String> findFiles(Dataset dataset, String prefix) {
    List<String> keys = new ArrayList<>();
    String after = null;
    while (true) {
      List<ObjectInfo> page = dataset.store().list(prefix, after);
      if (page.isEmpty()) {
        return keys;
      }
      for (ObjectInfo info : page) {
        if (importable(info.key()) && !info.key().startsWith(LogLayout.META)) {
          keys.add(info.key());
        }
      }
      after = page.get(page.size() - 1).key();
    }
  }

  /**
   * Reads every file once and checks it can be imported, without committing anything (a dry run):
   * each file exists, has a known extension and is readable, is not already a shard of the latest
   * version, and its schema agrees with the other files' and the dataset's (new columns nullable).
   *
   * @param progress called after each file, with the files and bytes read so far
   * @throws MlobjException {@code INVALID_ARGUMENT} naming the file and the reason; {@code
   *     ALREADY_EXISTS} for a file that is already a shard of the dataset
   */
  public static ImportPlan plan(Dataset dataset, List<String> keys, Progress progress) {
    if (keys.isEmpty()) {
      throw MlobjErrors.badOption("files", "[]", "at least one file to import");
    }
    Optional<Snapshot> latest = dataset.findLatest();
    Set<String> existing = new HashSet<>();
    latest.ifPresent(s -> s.shards().forEach(shard -> existing.add(shard.path())));
    List<Shard> shards = new ArrayList<>();
    Schema schema = latest.map(Snapshot::schema).orElse(null);
    long bytes = 0;
    try (BufferAllocator allocator = new RootAllocator()) {
      for (String key : keys) {
        if (existing.contains(key)) {
          throw new MlobjException(
              MlobjException.Kind.ALREADY_EXISTS,
              "Cannot import file "
                  + dataset.store().uri(key)
                  + " into dataset "
                  + dataset.uri()
                  + ": it is already a shard of version "
                  + latest.get().version()
                  + ". Leave it out of the import.");
        }
        Described described = describe(dataset, key, allocator);
        schema = schema == null ? described.schema() : merge(dataset, key, schema, described);
        shards.add(described.shard());
        bytes += described.shard().bytes();
        progress.update(shards.size(), keys.size(), bytes);
      }
    }
    return new ImportPlan(shards, schema, latest.map(Snapshot::version).orElse(0L));
  }

  /** Commits a plan from {@link #plan} as one append; the dataset is created if it is absent. */
  public static Snapshot commit(Dataset dataset, ImportPlan plan) {
    Commit commit =
        dataset
            .newAppend()
            .schema(plan.schema())
            .addShards(plan.shards())
            .summary("imported-files", String.valueOf(plan.shards().size()));
    return commit.commit();
  }

  /**
   * What an import adds: one shard per file, and the dataset's schema afterwards.
   *
   * @param baseVersion the latest version when planned; 0 if the dataset did not exist
   */
  public record ImportPlan(List<Shard> shards, Schema schema, long baseVersion) {
    public ImportPlan {
      shards = List.copyOf(shards);
    }

    /** Rows in all files. */
    public long rows() {
      return shards.stream().mapToLong(Shard::rows).sum();
    }

    /** Bytes in all files. */
    public long bytes() {
      return shards.stream().mapToLong(Shard::bytes).sum();
    }
  }

  private static Schema merge(Dataset dataset, String key, Schema before, Described file) {
    try {
      return SchemaEvolution.merge(before, file.schema());
    } catch (IllegalArgumentException e) {
      throw new MlobjException(
          MlobjException.Kind.INVALID_ARGUMENT,
          "Cannot import file "
              + dataset.store().uri(key)
              + " into dataset "
              + dataset.uri()
              + ": its schema does not match the dataset's or the other files' ("
              + e.getMessage()
              + "). Import files with the dataset's columns and types (new columns must be"
              + " nullable), or import them into a new dataset.");
    }
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
