package io.mlobj;

import io.mlobj.MlobjException.Kind;
import java.util.Collection;

/**
 * The one place user-facing errors are worded, so messages stay consistent and testable. Shape:
 * {@code Cannot <verb> <object>: <reason>. <how to fix>}.
 *
 * <p>Stable API.
 */
public final class MlobjErrors {
  private MlobjErrors() {}

  public static MlobjException badOption(String key, String value, String expected) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot use option '" + key + "' = '" + value + "': expected " + expected + ".");
  }

  public static MlobjException unknownOption(String key, Collection<String> known) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot use option '" + key + "': it is not an option. Known options: " + known + ".");
  }

  /** An {@code mlobj.*} key the settings catalog does not declare. */
  public static MlobjException unknownSetting(String key, Collection<String> nearest) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot use setting '"
            + key
            + "': mlobj declares no such setting. Did you mean "
            + String.join(" or ", nearest.stream().map(n -> "'" + n + "'").toList())
            + "? See docs/CONFIG.md.");
  }

  /** A shard format no codec on the class path reads or writes. */
  public static MlobjException noCodec(String format, Collection<String> available) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot read or write shards of format '"
            + format
            + "': no shard codec for it is on the class path (available: "
            + String.join(", ", available)
            + "). Add the jar whose META-INF/services/io.mlobj.ShardCodec lists its codec.");
  }

  public static MlobjException badUri(String uri, String reason) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot open dataset '"
            + uri
            + "': "
            + reason
            + ". Use s3a://bucket/path, file:///path, hdfs://host/path or a local path.");
  }

  public static MlobjException datasetNotFound(String uri) {
    return new MlobjException(
        Kind.NOT_FOUND,
        "Cannot open dataset "
            + uri
            + ": there is no mlobj dataset there (no version log under _mlobj/). Check the path,"
            + " or create the dataset first.");
  }

  public static MlobjException datasetExists(String uri, long latest) {
    return new MlobjException(
        Kind.ALREADY_EXISTS,
        "Cannot create dataset "
            + uri
            + ": it already exists at version "
            + latest
            + ". Open it instead, or choose another path.");
  }

  public static MlobjException versionNotFound(String uri, long version, long latest) {
    return new MlobjException(
        Kind.NOT_FOUND,
        "Cannot read version "
            + version
            + " of dataset "
            + uri
            + ": it does not exist (versions are 1.."
            + latest
            + "). Run 'mlobj history "
            + uri
            + "' to list them.");
  }

  public static MlobjException noVersionAtTime(String uri, long timestampMillis, long first) {
    return new MlobjException(
        Kind.NOT_FOUND,
        "Cannot read dataset "
            + uri
            + " as of "
            + java.time.Instant.ofEpochMilli(timestampMillis)
            + ": its first version was committed later, at "
            + java.time.Instant.ofEpochMilli(first)
            + ". Use a later timestamp.");
  }

  public static MlobjException tagNotFound(String uri, String tag) {
    return new MlobjException(
        Kind.NOT_FOUND,
        "Cannot find tag '"
            + tag
            + "' of dataset "
            + uri
            + ". Run 'mlobj tag list "
            + uri
            + "' to see the tags.");
  }

  public static MlobjException tagExists(String uri, String tag, long version) {
    return new MlobjException(
        Kind.ALREADY_EXISTS,
        "Cannot create tag '"
            + tag
            + "' of dataset "
            + uri
            + ": it already points to version "
            + version
            + ". Use --force (TagOptions.force) to move it.");
  }

  public static MlobjException badName(String what, String name) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot use "
            + what
            + " name '"
            + name
            + "': use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit.");
  }

  public static UnreadableFileException malformed(String uri, String reason) {
    return new UnreadableFileException(
        uri,
        reason,
        false,
        "Cannot parse "
            + uri
            + ": "
            + reason
            + ". The file is damaged or was not written by mlobj; restore it from a backup or"
            + " roll back to an earlier version.");
  }

  public static UnreadableFileException unsupportedFormatVersion(
      String uri, int found, Collection<Integer> supported) {
    String reason = "format-version " + found + " is not supported (supported: " + supported + ")";
    return new UnreadableFileException(
        uri, reason, true, "Cannot read " + uri + ": " + reason + ". Upgrade mlobj to read it.");
  }

  /**
   * A version file that exists but cannot be read. Readers of other versions are unaffected; a
   * rollback to an intact version commits past it.
   */
  public static MlobjException damagedVersion(
      String dataset, long version, UnreadableFileException cause) {
    return new MlobjException(
        Kind.CORRUPT,
        "Cannot read version "
            + version
            + " of dataset "
            + dataset
            + ": its version file "
            + cause.uri()
            + " "
            + (cause.unsupportedFormat()
                ? "cannot be read: " + cause.reason()
                : "is damaged: " + cause.reason())
            + ". Other versions are still readable: run 'mlobj history "
            + dataset
            + "' to list them and 'mlobj rollback "
            + dataset
            + " <version>' to commit an intact one as the new latest version"
            + (cause.unsupportedFormat() ? ", or upgrade mlobj" : "")
            + ".",
        cause);
  }

  public static MlobjException checksumMismatch(
      String dataset, long version, String object, long expected, long actual) {
    return new MlobjException(
        Kind.CORRUPT,
        String.format(
            "Cannot read shard %s of dataset %s at version %d: CRC32C mismatch (expected 0x%08x,"
                + " got 0x%08x). The object is damaged; run 'mlobj verify %s' and restore the"
                + " object or roll back to a version without it.",
            object, dataset, version, expected, actual, dataset));
  }

  public static MlobjException sizeMismatch(
      String dataset, long version, String object, long expected, long actual) {
    return new MlobjException(
        Kind.CORRUPT,
        "Cannot read shard "
            + object
            + " of dataset "
            + dataset
            + " at version "
            + version
            + ": it has "
            + actual
            + " bytes, the manifest says "
            + expected
            + " (truncated or replaced). Run 'mlobj verify "
            + dataset
            + "' and restore the object or roll back.");
  }

  public static MlobjException shardMissing(String dataset, long version, String object) {
    return new MlobjException(
        Kind.NOT_FOUND,
        "Cannot read shard "
            + object
            + " of dataset "
            + dataset
            + " at version "
            + version
            + ": the object does not exist (deleted outside mlobj, or vacuumed). Run 'mlobj"
            + " verify "
            + dataset
            + "', then restore it or roll back to a version that does not need it.");
  }

  public static MlobjException unreadableShard(
      String dataset, long version, String object, String reason) {
    return new MlobjException(
        Kind.CORRUPT,
        "Cannot decode shard "
            + object
            + " of dataset "
            + dataset
            + " at version "
            + version
            + ": "
            + reason
            + ". Run 'mlobj verify "
            + dataset
            + "'.");
  }

  public static MlobjException unknownColumn(
      String dataset, String column, Collection<String> known) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot select column '"
            + column
            + "' of dataset "
            + dataset
            + ": no such column. Columns: "
            + known
            + ".");
  }

  public static MlobjException incompatibleSchema(String dataset, String reason) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot write to dataset "
            + dataset
            + ": the data's schema is incompatible ("
            + reason
            + "). Only new nullable columns may be added; cast the data to the dataset's schema or"
            + " write to a new dataset.");
  }

  public static MlobjException unsafeStore(String uri) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot commit to dataset "
            + uri
            + ": the store ignored a conditional write (If-None-Match: *), so concurrent commits"
            + " could overwrite each other. Use a store with conditional writes (AWS S3, MinIO"
            + " 2024+), or set "
            + MlobjConf.ALLOW_UNSAFE_COMMIT
            + "=true if only one writer ever commits.");
  }
}
