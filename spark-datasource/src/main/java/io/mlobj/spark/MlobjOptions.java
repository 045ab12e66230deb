package io.mlobj.spark;

import io.mlobj.MlobjConf;
import io.mlobj.MlobjErrors;
import io.mlobj.Setting;
import io.mlobj.Settings;
import io.mlobj.ShardFormat;
import io.mlobj.TimeTravel;
import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;

/**
 * The options of {@code format("mlobj")}, parsed and validated once on the driver. Keys are
 * case-insensitive. Storage settings come from Spark's Hadoop configuration ({@code
 * spark.hadoop.fs.s3a.*}) overlaid with {@code fs.*} and {@code mlobj.*} options.
 *
 * <p>Read: {@code versionAsOf}, {@code timestampAsOf}, {@code tag}, {@code batchRows}, {@code
 * splitRows}, {@code verifyChecksums}, {@code parquetReader} ({@code auto}, {@code spark} or {@code
 * mlobj}), {@code readAs} ({@code auto}, {@code rows} or {@code columnar}). Write: {@code format}
 * ({@code parquet}/{@code arrow}), {@code compression}, {@code targetShardSize}, {@code
 * rowGroupSize}, {@code partitionBy}, {@code tensor.<col>.shape}, {@code tensor.<col>.type} (the
 * old {@code tensorShape.<col>}, {@code tensorElement.<col>} still work, with a warning), {@code
 * mlobj.meta.<key>}, {@code overwriteSchema}. Streaming source: {@code startingVersion} ({@code
 * earliest}, {@code latest} or a number).
 */
public final class MlobjOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Prefix of summary key/values: {@code option("mlobj.meta.owner", "vision-team")}. */
  public static final String META_PREFIX = Settings.META_PREFIX;

  private static final List<String> KNOWN =
      List.of(
          "path",
          "paths",
          "versionasof",
          "version",
          "timestampasof",
          "tag",
          "batchrows",
          "splitrows",
          "verifychecksums",
          "parquetreader",
          "readas",
          "format",
          "shardformat",
          "compression",
          "targetshardsize",
          "rowgroupsize",
          "partitionby",
          "overwriteschema",
          "startingversion",
          "checkpointlocation",
          "queryname",
          "writebatchrows",
          "partitionoverwritemode");

  private final Map<String, String> options;
  private final Map<String, String> conf;

  private MlobjOptions(Map<String, String> options, Map<String, String> conf) {
    this.options = options;
    this.conf = conf;
  }

  /** Parses and validates options; the storage settings come from the active session. */
  public static MlobjOptions parse(Map<String, String> raw) {
    Map<String, String> lower = new TreeMap<>();
    raw.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    MlobjOptions parsed = new MlobjOptions(lower, storageConf(raw));
    parsed.validate();
    return parsed;
  }

  /**
   * Storage settings for a read or write: the active session's Hadoop configuration, overridden by
   * the storage keys among {@code options} ({@code fs.*}, {@code mlobj.*}).
   */
  public static Map<String, String> storageConf(Map<String, String> options) {
    Map<String, String> conf = new HashMap<>();
    SparkSession.getActiveSession()
        .foreach(
            s -> {
              conf.putAll(MlobjConf.fromHadoop(s.sparkContext().hadoopConfiguration()).asMap());
              return null;
            });
    conf.putAll(Settings.storageConf(options));
    return conf;
  }

  private void validate() {
    for (String key : options.keySet()) {
      if (!KNOWN.contains(key)
          && !Settings.isStorageKey(key)
          && !key.startsWith(META_PREFIX)
          && !Settings.isTensorKey(key)
          && !Settings.lookup(key).isPresent()
          && !key.startsWith("spark.")
          && !key.startsWith("__")) {
        throw MlobjErrors.unknownOption(key, KNOWN);
      }
    }
    timeTravel();
    batchRows();
    splitRows();
    verifyChecksums();
    parquetReader();
    readAs();
    if (parquetReader().equals("spark") && checksumsRequested()) {
      throw MlobjErrors.badOption(
          "verifyChecksums",
          options.get("verifychecksums"),
          "false or unset with parquetReader=spark (Spark's reader fetches column chunks, never"
              + " the whole object, so it cannot verify the shard's CRC32C); use parquetReader=auto"
              + " or mlobj to verify");
    }
    if (options.containsKey("format")) {
      ShardFormat.parse(options.get("format"));
    }
    tensorShapes();
    tensorElements();
    bool("overwriteschema", false);
    if (options.containsKey("targetshardsize")) {
      MlobjConf.parseBytes("targetShardSize", options.get("targetshardsize"));
    }
  }

  /** The dataset URI ({@code path}). */
  public String path() {
    String path = options.get("path");
    if (path == null || path.isBlank()) {
      throw MlobjErrors.badOption(
          "path", String.valueOf(path), "a dataset URI: load(\"s3a://bucket/ds\")");
    }
    return path;
  }

  /** Whether a path was given. */
  public boolean hasPath() {
    return options.get("path") != null;
  }

  /** Storage and mlobj settings, shipped to executors. */
  public Map<String, String> conf() {
    return conf;
  }

  /** The options as given (lower-case keys). */
  public Map<String, String> rawOptions() {
    return options;
  }

  /** A raw option (lower-case key), or null. */
  public String get(String key) {
    return options.get(key.toLowerCase(Locale.ROOT));
  }

  /** Which version to read. */
  public TimeTravel timeTravel() {
    return TimeTravel.fromOptions(options);
  }

  /** Maximum rows per batch (default 8192; scans lower it for wide rows unless it is set). */
  public int batchRows() {
    return (int) positive("batchrows", 8192);
  }

  /** Whether the reader set {@code batchRows}. */
  public boolean hasBatchRows() {
    return options.containsKey("batchrows");
  }

  /** Rows per input partition when large shards are split (default: whole shards). */
  public long splitRows() {
    return positive("splitrows", Long.MAX_VALUE);
  }

  /** Whether to verify CRC32C of shards read whole (default true). */
  public boolean verifyChecksums() {
    return bool("verifychecksums", true);
  }

  /**
   * Whether the reader set {@code verifyChecksums=true} explicitly: then every Parquet shard is
   * read by the kernel, which verifies CRC32C (by default flat scans use Spark's reader, which
   * cannot).
   */
  public boolean checksumsRequested() {
    return options.containsKey("verifychecksums") && verifyChecksums();
  }

  /**
   * Who decodes Parquet shards: {@code spark} (Spark's vectorized Parquet reader), {@code mlobj}
   * (the kernel's reader, which also verifies CRC32C) or {@code auto} (default: the kernel for
   * scans with tensor or list columns, Spark's reader for flat columns; see docs/spark.md for the
   * measurements behind it).
   */
  public String parquetReader() {
    String v = options.getOrDefault("parquetreader", "auto").toLowerCase(Locale.ROOT);
    if (!v.equals("spark") && !v.equals("mlobj") && !v.equals("auto")) {
      throw MlobjErrors.badOption("parquetReader", v, "auto, spark or mlobj");
    }
    return v;
  }

  /**
   * What scans hand to Spark: {@code columnar} batches, {@code rows} whose arrays of fixed-width
   * elements are {@code UnsafeArrayData} filled by bulk copies, or {@code auto} (default): rows
   * when such array columns (tensors, lists of numbers) are read, batches otherwise. See
   * docs/spark.md for the measurements behind it.
   */
  public String readAs() {
    String v = options.getOrDefault("readas", "auto").toLowerCase(Locale.ROOT);
    if (!v.equals("auto") && !v.equals("rows") && !v.equals("columnar")) {
      throw MlobjErrors.badOption("readAs", v, "auto, rows or columnar");
    }
    return v;
  }

  /**
   * Whether {@code mode("overwrite")} replaces only the partitions present in the data: option
   * {@code partitionOverwriteMode}, else the session's {@code
   * spark.sql.sources.partitionOverwriteMode}.
   */
  public boolean dynamicOverwrite() {
    String v = options.get("partitionoverwritemode");
    if (v == null) {
      v =
          SparkSession.getActiveSession().isDefined()
              ? SparkSession.active()
                  .conf()
                  .get("spark.sql.sources.partitionOverwriteMode", "static")
              : "static";
    }
    if (!v.equalsIgnoreCase("static") && !v.equalsIgnoreCase("dynamic")) {
      throw MlobjErrors.badOption("partitionOverwriteMode", v, "static or dynamic");
    }
    return v.equalsIgnoreCase("dynamic");
  }

  /** Whether an overwrite may replace the dataset's schema. */
  public boolean overwriteSchema() {
    return bool("overwriteschema", false);
  }

  /** Declared tensor shapes by column (original case of the column name kept). */
  public Map<String, int[]> tensorShapes() {
    return Settings.tensorShapes(options);
  }

  /** Declared tensor element types by lower-case column name ({@code tensor.<col>.type}). */
  public Map<String, String> tensorElements() {
    return Settings.tensorTypes(options);
  }

  /** Resolves lower-case option column names to the schema's column names. */
  public static <T> Map<String, T> byColumn(Map<String, T> lowerCase, String[] columns) {
    Map<String, T> out = new HashMap<>();
    lowerCase.forEach(
        (lower, value) -> {
          for (String name : columns) {
            if (name.equalsIgnoreCase(lower)) {
              out.put(name, value);
            }
          }
        });
    return out;
  }

  /** Options for {@link io.mlobj.DatasetWriter.Builder#options} (partitioning aside). */
  public Map<String, String> writerOptions() {
    Map<String, String> out = new HashMap<>();
    for (Setting setting :
        List.of(
            Settings.FORMAT,
            Settings.COMPRESSION,
            Settings.TARGET_SHARD_SIZE,
            Settings.ROW_GROUP_SIZE)) {
      String value = setting.find(options);
      if (value != null) {
        out.put(setting.name(), value);
      }
    }
    return out;
  }

  /** Rows buffered per Arrow batch handed to the shard writer (default 4096). */
  public int writeBatchRows() {
    return (int) positive("writebatchrows", 4096);
  }

  /** {@code partitionBy} as a list; empty if absent. */
  public List<String> partitionBy() {
    String v = options.get("partitionby");
    if (v == null || v.isBlank()) {
      return List.of();
    }
    String trimmed = v.trim();
    // DataFrameWriter.partitionBy passes a JSON array.
    if (trimmed.startsWith("[")) {
      trimmed = trimmed.substring(1, trimmed.length() - 1).replace("\"", "");
    }
    return List.of(trimmed.split("\\s*,\\s*"));
  }

  /** {@code mlobj.meta.<k>} options, for the version summary. */
  public Map<String, String> summary() {
    Map<String, String> out = new LinkedHashMap<>();
    options.forEach(
        (k, v) -> {
          if (k.startsWith(META_PREFIX)) {
            out.put(k.substring(META_PREFIX.length()), v);
          }
        });
    return out;
  }

  private long positive(String key, long defaultValue) {
    String v = options.get(key);
    if (v == null) {
      return defaultValue;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw MlobjErrors.badOption(key, v, "a positive integer");
  }

  private boolean bool(String key, boolean defaultValue) {
    String v = options.get(key);
    if (v == null) {
      return defaultValue;
    }
    if (v.trim().equalsIgnoreCase("true") || v.trim().equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(v.trim());
    }
    throw MlobjErrors.badOption(key, v, "true or false");
  }
}
