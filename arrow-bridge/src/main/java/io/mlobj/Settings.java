package io.mlobj;

import io.mlobj.Setting.Scope;
import io.mlobj.Setting.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog of mlobj's settings: every {@code mlobj.*} key, the writer and tensor options, and
 * the rule for which keys are storage settings passed to the kernel. Spark options, Flink SQL
 * options, the CLI's {@code -c}, the trainer feed's {@code --conf} and the benchmarks all read
 * through it, and docs/CONFIG.md's tables are checked against it. Stable API: entries are added,
 * never removed without a deprecated spelling.
 *
 * <pre>{@code
 * Map<String, String> conf = Settings.storageConf(options); // fs.* and mlobj.* keys, checked
 * long part = conf.containsKey(Settings.IO_PART_SIZE.name()) ? ... : ...;
 * }</pre>
 */
public final class Settings {
  private static final Logger LOG = LoggerFactory.getLogger(Settings.class);
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  /** Prefix of mlobj's own keys. */
  public static final String MLOBJ_PREFIX = "mlobj.";

  /** Prefix of Hadoop file system keys ({@code fs.s3a.*}, {@code fs.defaultFS}, ...). */
  public static final String FS_PREFIX = "fs.";

  /** Prefix of version-summary key/values given as options ({@code mlobj.meta.owner}). */
  public static final String META_PREFIX = "mlobj.meta.";

  /** Prefix of tensor options ({@code tensor.<column>.shape}, {@code tensor.<column>.type}). */
  public static final String TENSOR_PREFIX = "tensor.";

  public static final Setting COMMIT_ALLOW_UNSAFE =
      dataset(
          "mlobj.commit.allow-unsafe",
          Type.BOOLEAN,
          "false",
          "allow commits on a store that ignores conditional writes (only with a single writer)");

  public static final Setting COMMIT_MAX_ATTEMPTS =
      dataset(
          "mlobj.commit.max-attempts",
          Type.INT,
          "100",
          "rebase-and-retry attempts when concurrent commits win");

  public static final Setting COMMIT_CHECK_SHARDS =
      dataset(
          "mlobj.commit.check-shards",
          Type.BOOLEAN,
          "false",
          "check before every commit that its shards exist with their recorded sizes (one HEAD"
              + " each); also `Commit.checkShardsExist()`");

  public static final Setting COMMIT_CHECK_SHARDS_AFTER =
      dataset(
          "mlobj.commit.check-shards-after",
          Type.STRING,
          "12h",
          "a commit whose write began longer ago than this duration (`Commit.addShards(writer)` or"
              + " `Commit.writeStartedAt`; Spark and Flink writes pass their earliest task's start)"
              + " checks its shards: a vacuum deletes uncommitted shards"
              + " older than its safety window (default 24 h); a bare number is milliseconds");

  public static final Setting IO_PARALLELISM =
      dataset(
          "mlobj.io.parallelism",
          Type.INT,
          "8",
          "parallel ranged GETs / multipart parts per object");

  public static final Setting IO_PART_SIZE =
      dataset("mlobj.io.part-size", Type.BYTES, "8m", "size of one ranged GET or multipart part");

  public static final Setting S3_HTTP_CLIENT =
      dataset(
          "mlobj.s3.http-client",
          Type.STRING,
          "apache",
          "HTTP client of the S3 SDK: `apache` (pure Java) or `crt` (the AWS CRT client, native;"
              + " needs `aws-crt-client` and `aws-crt` on the class path, else `apache` is used"
              + " with a warning)");

  public static final Setting CACHE_DIR =
      dataset(
          "mlobj.cache.dir",
          Type.STRING,
          null,
          "local directory caching shards across reads (epochs); unset = no cache");

  public static final Setting CACHE_SIZE =
      dataset(
          "mlobj.cache.size",
          Type.BYTES,
          "16g",
          "most bytes kept in `mlobj.cache.dir`, least recently used out first");

  public static final Setting USER =
      dataset(
          "mlobj.user",
          Type.STRING,
          null,
          "the user recorded in version summaries and tags (unset: the OS user)");

  public static final Setting REGISTRY =
      new Setting(
          "mlobj.registry",
          List.of(),
          List.of(),
          Type.STRING,
          null,
          "the CLI's default checkpoint registry, e.g. `s3a://bucket/registry`",
          Scope.TOOL);

  public static final Setting META =
      new Setting(
          "mlobj.meta.<key>",
          List.of(),
          List.of(),
          Type.STRING,
          null,
          "a key/value recorded in the version summary of a write (Spark writer option)",
          Scope.WRITE);

  public static final Setting FORMAT =
      write(
          "format",
          List.of("shardFormat", "shard-format", "mlobj.format", "write.format"),
          Type.STRING,
          "parquet",
          "shard format: `parquet`, `arrow` (Arrow IPC file) or the id of a shard codec on the"
              + " class path");

  public static final Setting COMPRESSION =
      write(
          "compression",
          List.of("write.compression"),
          Type.STRING,
          null,
          "Parquet: `none`, `snappy` (default), `zstd`, `gzip`, `lz4`; Arrow: `none` (default),"
              + " `lz4`, `zstd`");

  public static final Setting TARGET_SHARD_SIZE =
      write(
          "targetShardSize",
          List.of("target-shard-size", "target-shard-bytes", "write.target-shard-size"),
          Type.BYTES,
          "128m",
          "roll to a new shard at about this size");

  public static final Setting ROW_GROUP_SIZE =
      write(
          "rowGroupSize",
          List.of("row-group-size"),
          Type.BYTES,
          "32m",
          "Parquet row group size (the unit by which shards are split among readers)");

  public static final Setting PARTITION_BY =
      write(
          "partitionBy",
          List.of("partition-by"),
          Type.STRING,
          null,
          "comma-separated partition columns (default: the dataset's)");

  public static final Setting TENSOR_SHAPE =
      new Setting(
          "tensor.<column>.shape",
          List.of(),
          List.of("tensorShape.<column>"),
          Type.STRING,
          null,
          "declares a fixed-shape tensor column: positive dimensions such as `3,32,32`",
          Scope.TENSOR);

  public static final Setting TENSOR_TYPE =
      new Setting(
          "tensor.<column>.type",
          List.of(),
          List.of("tensorElement.<column>"),
          Type.STRING,
          null,
          "element type of a tensor column: `int8`..`int64`, `uint8`..`uint64`, `float32`,"
              + " `float64`, `bool`",
          Scope.TENSOR);

  private static final List<Setting> ALL =
      List.of(
          COMMIT_ALLOW_UNSAFE,
          COMMIT_MAX_ATTEMPTS,
          COMMIT_CHECK_SHARDS,
          COMMIT_CHECK_SHARDS_AFTER,
          IO_PARALLELISM,
          IO_PART_SIZE,
          S3_HTTP_CLIENT,
          CACHE_DIR,
          CACHE_SIZE,
          USER,
          REGISTRY,
          META,
          FORMAT,
          COMPRESSION,
          TARGET_SHARD_SIZE,
          ROW_GROUP_SIZE,
          PARTITION_BY,
          TENSOR_SHAPE,
          TENSOR_TYPE);

  private Settings() {}

  private static Setting dataset(String name, Type type, String defaultValue, String doc) {
    return new Setting(name, List.of(), List.of(), type, defaultValue, doc, Scope.DATASET);
  }

  private static Setting write(
      String name, List<String> aliases, Type type, String defaultValue, String doc) {
    return new Setting(name, aliases, List.of(), type, defaultValue, doc, Scope.WRITE);
  }

  /** Every declared setting, in catalog order. */
  public static List<Setting> all() {
    return ALL;
  }

  /** The setting {@code key} spells (name, alias or deprecated spelling), if declared. */
  public static java.util.Optional<Setting> lookup(String key) {
    for (Setting setting : ALL) {
      if (setting.matches(key)) {
        return java.util.Optional.of(setting);
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * Whether a key is a storage setting that every entry point passes to the kernel: Hadoop's {@code
   * fs.*} keys (so {@code fs.defaultFS} reaches {@code hdfs://} datasets as {@code fs.s3a.*}
   * reaches S3) and mlobj's own {@code mlobj.*} keys, except the {@code mlobj.meta.*} summary
   * values.
   */
  public static boolean isStorageKey(String key) {
    return key.startsWith(FS_PREFIX)
        || (key.startsWith(MLOBJ_PREFIX) && !key.regionMatches(true, 0, META_PREFIX, 0, 11));
  }

  /**
   * The storage settings among {@code options} ({@link #isStorageKey}), checked: an unknown {@code
   * mlobj.*} key is an error naming the nearest known keys.
   */
  public static Map<String, String> storageConf(Map<String, String> options) {
    Map<String, String> out = new TreeMap<>();
    options.forEach(
        (k, v) -> {
          if (isStorageKey(k)) {
            out.put(k, v);
          }
        });
    checkKeys(out);
    return out;
  }

  /**
   * Checks every {@code mlobj.*} key of {@code options} against the catalog and the values of
   * declared keys against their types.
   *
   * @throws MlobjException {@code INVALID_ARGUMENT} naming the key and the nearest known keys
   */
  public static void checkKeys(Map<String, String> options) {
    options.forEach(
        (key, value) -> {
          if (!key.regionMatches(true, 0, MLOBJ_PREFIX, 0, MLOBJ_PREFIX.length())) {
            return;
          }
          Setting setting =
              lookup(key).orElseThrow(() -> MlobjErrors.unknownSetting(key, nearest(key)));
          if (value != null && !value.isBlank()) {
            setting.parse(key, value);
          }
        });
  }

  /** Up to three declared keys closest to {@code key} (edit distance), nearest first. */
  public static List<String> nearest(String key) {
    List<String> names = new ArrayList<>();
    for (Setting setting : ALL) {
      names.add(setting.name());
      names.addAll(setting.aliases());
    }
    String k = key.toLowerCase(Locale.ROOT);
    names.sort(
        Comparator.comparingInt((String n) -> distance(k, n.toLowerCase(Locale.ROOT)))
            .thenComparing(n -> n));
    return names.subList(0, Math.min(3, names.size()));
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** Logs once per key that an old spelling is used, naming the canonical one. */
  static void warnIfDeprecated(String key) {
    for (Setting setting : ALL) {
      String spelling = setting.spelling(key);
      if (spelling != null && setting.deprecated().contains(spelling) && WARNED.add(key)) {
        String column = setting.column(key);
        String canonical =
            column == null ? setting.name() : setting.name().replace("<column>", column);
        LOG.warn("Option '{}' is deprecated: use '{}'.", key, canonical);
      }
    }
  }

  /** Whether a key is a tensor option in any spelling ({@code tensor.<column>.shape}, ...). */
  public static boolean isTensorKey(String key) {
    return TENSOR_SHAPE.matches(key) || TENSOR_TYPE.matches(key);
  }

  /**
   * Declared tensor shapes by column, from {@code tensor.<column>.shape} (or the deprecated {@code
   * tensorShape.<column>}, with a warning). Column names keep the case of the key.
   */
  public static Map<String, int[]> tensorShapes(Map<String, String> options) {
    Map<String, int[]> out = new LinkedHashMap<>();
    options.forEach(
        (k, v) -> {
          if (TENSOR_SHAPE.matches(k)) {
            warnIfDeprecated(k);
            String column = TENSOR_SHAPE.column(k);
            out.put(column, parseShape(column, v));
          }
        });
    return out;
  }

  /**
   * Declared tensor element types by column, from {@code tensor.<column>.type} (or the deprecated
   * {@code tensorElement.<column>}), each checked with {@link #tensorElementType}.
   */
  public static Map<String, String> tensorTypes(Map<String, String> options) {
    Map<String, String> out = new LinkedHashMap<>();
    options.forEach(
        (k, v) -> {
          if (TENSOR_TYPE.matches(k)) {
            warnIfDeprecated(k);
            String column = TENSOR_TYPE.column(k);
            tensorElementType(column, v);
            out.put(column, v);
          }
        });
    return out;
  }

  /** Parses a tensor shape: {@code 3,32,32}, also {@code 3x32x32} or {@code [3, 32, 32]}. */
  public static int[] parseShape(String column, String value) {
    String v = value.replace("[", "").replace("]", "").replace("(", "").replace(")", "").trim();
    try {
      int[] shape = Arrays.stream(v.split("\\s*[,x]\\s*")).mapToInt(Integer::parseInt).toArray();
      if (shape.length == 0 || Arrays.stream(shape).anyMatch(d -> d <= 0)) {
        throw new NumberFormatException();
      }
      return shape;
    } catch (NumberFormatException e) {
      throw MlobjErrors.badOption(
          "tensor." + column + ".shape",
          value,
          "positive dimensions separated by commas, e.g. 3,32,32");
    }
  }

  /** The Arrow type of a tensor element type name such as {@code uint8} or {@code float32}. */
  public static ArrowType tensorElementType(String column, String name) {
    return switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "int8" -> new ArrowType.Int(8, true);
      case "int16" -> new ArrowType.Int(16, true);
      case "int32" -> new ArrowType.Int(32, true);
      case "int64" -> new ArrowType.Int(64, true);
      case "uint8" -> new ArrowType.Int(8, false);
      case "uint16" -> new ArrowType.Int(16, false);
      case "uint32" -> new ArrowType.Int(32, false);
      case "uint64" -> new ArrowType.Int(64, false);
      case "float32", "float" -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case "float64", "double" -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case "bool" -> ArrowType.Bool.INSTANCE;
      default ->
          throw MlobjErrors.badOption(
              "tensor." + column + ".type",
              name,
              "one of int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64,"
                  + " bool");
    };
  }

  /**
   * The Markdown table of the settings in these scopes: key (with aliases), default, meaning. The
   * tables in docs/CONFIG.md are this output (a test keeps them in step).
   */
  public static String markdownTable(Scope... scopes) {
    List<Scope> wanted = List.of(scopes);
    StringBuilder out = new StringBuilder("| key | default | meaning |\n| --- | --- | --- |\n");
    for (Setting s : ALL) {
      if (!wanted.contains(s.scope())) {
        continue;
      }
      out.append("| `").append(s.name()).append('`');
      for (String alias : s.aliases()) {
        out.append(", `").append(alias).append('`');
      }
      for (String old : s.deprecated()) {
        out.append(", `").append(old).append("` (deprecated)");
      }
      out.append(" | ")
          .append(s.defaultValue() == null ? "none" : "`" + s.defaultValue() + "`")
          .append(" | ")
          .append(s.doc())
          .append(" |\n");
    }
    return out.toString();
  }
}
