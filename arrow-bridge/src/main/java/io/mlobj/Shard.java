package io.mlobj;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * One immutable data file of a dataset, as recorded in a manifest. Engines pass these from the
 * tasks that wrote them to the committer (Spark commit messages, Flink committables), so shards are
 * {@link Serializable}.
 *
 * @param path object key relative to the dataset root, e.g. {@code data/7f/<uuid>.parquet}
 * @param format file format
 * @param rows number of rows
 * @param bytes object size in bytes
 * @param crc32c CRC32C of the whole object (unsigned 32-bit value)
 * @param batchRows rows per Parquet row group or Arrow record batch, in file order
 * @param stats per-column statistics, by top-level column name
 * @param partition partition values (column name to value as a string; absent means null)
 * @param properties free-form user key/values
 *     <p>Stable API.
 */
public record Shard(
    String path,
    ShardFormat format,
    long rows,
    long bytes,
    long crc32c,
    List<Long> batchRows,
    Map<String, ColumnStats> stats,
    Map<String, String> partition,
    Map<String, String> properties)
    implements Serializable {
  public Shard {
    batchRows = batchRows == null ? List.of() : List.copyOf(batchRows);
    stats = stats == null ? Map.of() : Map.copyOf(stats);
    partition = partition == null ? Map.of() : Map.copyOf(partition);
    properties = properties == null ? Map.of() : Map.copyOf(properties);
  }

  /** The CRC32C as the 8-digit hex string used in messages and manifests. */
  public String crc32cHex() {
    return String.format("%08x", crc32c);
  }

  /**
   * This shard as JSON, as manifests record it: for engines that checkpoint or ship shards in their
   * own serializers (Flink committables and splits). Read it back with {@link #fromJson}.
   */
  public byte[] toJson() {
    try {
      return io.mlobj.internal.format.FormatCodec.mapper().writeValueAsBytes(this);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot serialize shard " + path, e);
    }
  }

  /** A shard from {@link #toJson()} bytes; malformed bytes are a CORRUPT error. */
  public static Shard fromJson(byte[] json) {
    try {
      return io.mlobj.internal.format.FormatCodec.mapper().readValue(json, Shard.class);
    } catch (java.io.IOException e) {
      throw new MlobjException(
          MlobjException.Kind.CORRUPT,
          "Cannot read a serialized shard: " + e.getMessage() + ". It was not written by toJson.");
    }
  }

  /** A copy with these user key/values added. */
  public Shard withProperties(Map<String, String> more) {
    Map<String, String> merged = new java.util.TreeMap<>(properties);
    merged.putAll(more);
    return new Shard(path, format, rows, bytes, crc32c, batchRows, stats, partition, merged);
  }
}
