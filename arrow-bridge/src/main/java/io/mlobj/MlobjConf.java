package io.mlobj;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings for storage and mlobj itself, as string key/values. One configuration serves the core,
 * Spark and Flink: storage is configured with Hadoop's {@code fs.s3a.*} keys (endpoint, path style,
 * credentials, region), including per-bucket overrides {@code fs.s3a.bucket.<b>.<key>}; mlobj's own
 * keys start with {@code mlobj.}.
 *
 * <p>{@link #toString()} redacts secrets, so a configuration can be logged.
 *
 * <p>Stable API.
 */
public final class MlobjConf {
  /** Allow commits on stores that do not honour conditional writes (unsafe with concurrency). */
  public static final String ALLOW_UNSAFE_COMMIT = Settings.COMMIT_ALLOW_UNSAFE.name();

  /** How many times a commit that lost a race is rebased and retried. */
  public static final String COMMIT_MAX_ATTEMPTS = Settings.COMMIT_MAX_ATTEMPTS.name();

  /**
   * Whether every commit checks, before writing its version file, that the shards it adds exist
   * with their recorded sizes (default false: only commits whose write began longer ago than {@link
   * #COMMIT_CHECK_SHARDS_AFTER}).
   */
  public static final String COMMIT_CHECK_SHARDS = Settings.COMMIT_CHECK_SHARDS.name();

  /**
   * A commit whose write began longer ago than this checks that its shards exist (default 12h, half
   * the default 24 h vacuum safety window: a vacuum may delete uncommitted shards older than its
   * window). A duration such as {@code 12h}; a bare number is milliseconds.
   */
  public static final String COMMIT_CHECK_SHARDS_AFTER = Settings.COMMIT_CHECK_SHARDS_AFTER.name();

  /** How many parallel requests one object read or upload may use. */
  public static final String IO_PARALLELISM = Settings.IO_PARALLELISM.name();

  /** Size of one ranged GET or multipart part, in bytes. */
  public static final String IO_PART_SIZE = Settings.IO_PART_SIZE.name();

  /**
   * A local directory caching shards across reads (epochs), bounded by {@link #CACHE_SIZE}; unset
   * means no cache. Shards are immutable, so cached copies never go stale.
   */
  public static final String CACHE_DIR = Settings.CACHE_DIR.name();

  /** The most bytes the local shard cache keeps (default {@link #DEFAULT_CACHE_SIZE}). */
  public static final String CACHE_SIZE = Settings.CACHE_SIZE.name();

  /** 16 GiB. */
  public static final long DEFAULT_CACHE_SIZE = 16L << 30;

  private static final MlobjConf EMPTY = new MlobjConf(Map.of());

  private final Map<String, String> values;

  private MlobjConf(Map<String, String> values) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  /** A configuration holding exactly these values. */
  public static MlobjConf of(Map<String, String> values) {
    return values == null || values.isEmpty() ? EMPTY : new MlobjConf(values);
  }

  /**
   * Copies the storage settings ({@link Settings#isStorageKey}) of a Hadoop configuration (e.g.
   * Spark's {@code hadoopConfiguration()}).
   */
  public static MlobjConf fromHadoop(org.apache.hadoop.conf.Configuration hadoop) {
    Map<String, String> map = new TreeMap<>();
    for (Map.Entry<String, String> entry : hadoop) {
      if (Settings.isStorageKey(entry.getKey())) {
        map.put(entry.getKey(), hadoop.get(entry.getKey()));
      }
    }
    return of(map);
  }

  /** An empty configuration: default credentials chain, AWS endpoints. */
  public static MlobjConf empty() {
    return EMPTY;
  }

  /** A copy with these values added or replaced. */
  public MlobjConf with(Map<String, String> more) {
    Map<String, String> merged = new TreeMap<>(values);
    merged.putAll(more);
    return new MlobjConf(merged);
  }

  /** A copy with one value added or replaced. */
  public MlobjConf with(String key, String value) {
    return with(Map.of(key, value));
  }

  /** The value, or null. */
  public String get(String key) {
    return values.get(key);
  }

  /** The value, or the default. */
  public String get(String key, String defaultValue) {
    return values.getOrDefault(key, defaultValue);
  }

  /** The value of an S3A key, honouring the per-bucket override {@code fs.s3a.bucket.<b>.*}. */
  public String s3a(String bucket, String key) {
    String suffix = key.substring("fs.s3a.".length());
    String perBucket = values.get("fs.s3a.bucket." + bucket + "." + suffix);
    return perBucket != null ? perBucket : values.get(key);
  }

  /** An integer value; a malformed one is an error naming the key. */
  public int getInt(String key, int defaultValue) {
    String value = values.get(key);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw MlobjErrors.badOption(key, value, "an integer");
    }
  }

  /** A long value that may carry a size suffix (k, m, g); malformed is an error naming the key. */
  public long getBytes(String key, long defaultValue) {
    String value = values.get(key);
    return value == null || value.isBlank() ? defaultValue : parseBytes(key, value);
  }

  /** A boolean value; anything but true/false is an error naming the key. */
  public boolean getBoolean(String key, boolean defaultValue) {
    String value = values.get(key);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    if (value.trim().equalsIgnoreCase("true")) {
      return true;
    }
    if (value.trim().equalsIgnoreCase("false")) {
      return false;
    }
    throw MlobjErrors.badOption(key, value, "true or false");
  }

  /** All values, read-only. */
  public Map<String, String> asMap() {
    return values;
  }

  /** Parses sizes such as {@code 134217728}, {@code 128m}, {@code 1g}, {@code 64KiB}. */
  public static long parseBytes(String key, String value) {
    String v = value.trim().toLowerCase(java.util.Locale.ROOT).replace("ib", "").replace("b", "");
    long multiplier = 1;
    if (v.endsWith("k")) {
      multiplier = 1L << 10;
    } else if (v.endsWith("m")) {
      multiplier = 1L << 20;
    } else if (v.endsWith("g")) {
      multiplier = 1L << 30;
    }
    if (multiplier != 1) {
      v = v.substring(0, v.length() - 1);
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n <= 0) {
        throw MlobjErrors.badOption(key, value, "a positive size such as 134217728 or 128m");
      }
      return n * multiplier;
    } catch (NumberFormatException e) {
      throw MlobjErrors.badOption(key, value, "a size such as 134217728 or 128m");
    }
  }

  /** Whether a key holds a secret that must never be printed. */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("secret")
        || k.contains("password")
        || k.contains("token")
        || k.contains("access.key")
        || k.contains("credential");
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("MlobjConf{");
    values.forEach(
        (k, v) ->
            out.append(k)
                .append('=')
                .append(isSecret(k) && !k.endsWith("provider") ? "****" : v)
                .append(", "));
    return out.append('}').toString();
  }
}
