package io.mlobj;

import static io.mlobj.MlobjException.Kind.ALREADY_EXISTS;
import static io.mlobj.MlobjException.Kind.CORRUPT;
import static io.mlobj.MlobjException.Kind.INVALID_ARGUMENT;
import static io.mlobj.MlobjException.Kind.NOT_FOUND;

import io.mlobj.MlobjException.Kind;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;

/**
 * The one place user-facing errors are worded, so messages stay consistent and testable. Shape:
 * {@code Cannot <verb> <object>: <reason>. <how to fix>}.
 *
 * <p>Stable API.
 */
public final class MlobjErrors {
  private MlobjErrors() {}

  /**
   * An error whose message is {@code "Cannot " + String.format(Locale.ROOT, what, args)}: the one
   * shape of every mlobj message, {@code Cannot <verb> <object>: <reason>. <how to fix>}. The other
   * factories here, the registry's and the feed's word their errors with it.
   *
   * <pre>{@code
   * throw MlobjErrors.cannot(Kind.NOT_FOUND, "find tag '%s' of dataset %s. Run ...", tag, uri);
   * }</pre>
   */
  public static MlobjException cannot(Kind kind, String what, Object... args) {
    return new MlobjException(kind, "Cannot " + String.format(Locale.ROOT, what, args));
  }

  public static MlobjException badOption(String key, String value, String expected) {
    return cannot(INVALID_ARGUMENT, "use option '%s' = '%s': expected %s.", key, value, expected);
  }

  public static MlobjException unknownOption(String key, Collection<String> known) {
    return cannot(
        INVALID_ARGUMENT, "use option '%s': it is not an option. Known options: %s.", key, known);
  }

  /** An {@code mlobj.*} key the settings catalog does not declare. */
  public static MlobjException unknownSetting(String key, Collection<String> nearest) {
    return cannot(
        INVALID_ARGUMENT,
        "use setting '%s': mlobj declares no such setting. Did you mean %s? See docs/CONFIG.md.",
        key,
        String.join(" or ", nearest.stream().map(n -> "'" + n + "'").toList()));
  }

  /** A shard format no codec on the class path reads or writes. */
  public static MlobjException noCodec(String format, Collection<String> available) {
    return cannot(
        INVALID_ARGUMENT,
        "read or write shards of format '%s': no shard codec for it is on the class path"
            + " (available: %s). Add the jar whose META-INF/services/io.mlobj.ShardCodec lists its"
            + " codec.",
        format,
        String.join(", ", available));
  }

  public static MlobjException badUri(String uri, String reason) {
    return cannot(
        INVALID_ARGUMENT,
        "open dataset '%s': %s. Use s3a://bucket/path, file:///path, hdfs://host/path or a local"
            + " path.",
        uri,
        reason);
  }

  public static MlobjException datasetNotFound(String uri) {
    return cannot(
        NOT_FOUND,
        "open dataset %s: there is no mlobj dataset there (no version log under _mlobj/). Check"
            + " the path, or create the dataset first.",
        uri);
  }

  public static MlobjException datasetExists(String uri, long latest) {
    return cannot(
        ALREADY_EXISTS,
        "create dataset %s: it already exists at version %d. Open it instead, or choose another"
            + " path.",
        uri,
        latest);
  }

  public static MlobjException versionNotFound(String uri, long version, long latest) {
    return cannot(
        NOT_FOUND,
        "read version %d of dataset %s: it does not exist (versions are 1..%d). Run 'mlobj history"
            + " %s' to list them.",
        version,
        uri,
        latest,
        uri);
  }

  public static MlobjException noVersionAtTime(String uri, long timestampMillis, long first) {
    return cannot(
        NOT_FOUND,
        "read dataset %s as of %s: its first version was committed later, at %s. Use a later"
            + " timestamp.",
        uri,
        Instant.ofEpochMilli(timestampMillis),
        Instant.ofEpochMilli(first));
  }

  public static MlobjException tagNotFound(String uri, String tag) {
    return cannot(
        NOT_FOUND,
        "find tag '%s' of dataset %s. Run 'mlobj tag list %s' to see the tags.",
        tag,
        uri,
        uri);
  }

  public static MlobjException tagExists(String uri, String tag, long version) {
    return cannot(
        ALREADY_EXISTS,
        "create tag '%s' of dataset %s: it already points to version %d. Use --force"
            + " (TagOptions.force) to move it.",
        tag,
        uri,
        version);
  }

  public static MlobjException badName(String what, String name) {
    return cannot(
        INVALID_ARGUMENT,
        "use %s name '%s': use 1-128 letters, digits, '.', '_' or '-', starting with a letter or"
            + " digit.",
        what,
        name);
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
    return cannot(
        CORRUPT,
        "read shard %s of dataset %s at version %d: CRC32C mismatch (expected 0x%08x, got 0x%08x)."
            + " The object is damaged; run 'mlobj verify %s' and restore the object or roll back"
            + " to a version without it.",
        object,
        dataset,
        version,
        expected,
        actual,
        dataset);
  }

  /**
   * A page of a Parquet shard read by range whose bytes do not match the CRC in its header: the
   * object is damaged (a ranged read cannot check the whole object's CRC32C, but checks each page's
   * CRC). {@code column} may be null when the column could not be told.
   */
  public static MlobjException damagedPage(
      String dataset, long version, String object, int rowGroup, String column) {
    return cannot(
        CORRUPT,
        "read shard %s of dataset %s at version %d: a page of row group %d%s does not match its"
            + " CRC, so the object's bytes are damaged. Run 'mlobj verify %s' and restore the"
            + " object or roll back to a version without it.",
        object,
        dataset,
        version,
        rowGroup,
        column == null ? "" : ", column '" + column + "',",
        dataset);
  }

  public static MlobjException sizeMismatch(
      String dataset, long version, String object, long expected, long actual) {
    return cannot(
        CORRUPT,
        "read shard %s of dataset %s at version %d: it has %d bytes, the manifest says %d"
            + " (truncated or replaced). Run 'mlobj verify %s' and restore the object or roll"
            + " back.",
        object,
        dataset,
        version,
        actual,
        expected,
        dataset);
  }

  public static MlobjException shardMissing(String dataset, long version, String object) {
    return cannot(
        NOT_FOUND,
        "read shard %s of dataset %s at version %d: the object does not exist (deleted outside"
            + " mlobj, or vacuumed). Run 'mlobj verify %s', then restore it or roll back to a"
            + " version that does not need it.",
        object,
        dataset,
        version,
        dataset);
  }

  public static MlobjException unreadableShard(
      String dataset, long version, String object, String reason) {
    return cannot(
        CORRUPT,
        "decode shard %s of dataset %s at version %d: %s. Run 'mlobj verify %s'.",
        object,
        dataset,
        version,
        reason,
        dataset);
  }

  public static MlobjException unknownColumn(
      String dataset, String column, Collection<String> known) {
    return cannot(
        INVALID_ARGUMENT,
        "select column '%s' of dataset %s: no such column. Columns: %s.",
        column,
        dataset,
        known);
  }

  public static MlobjException incompatibleSchema(String dataset, String reason) {
    return cannot(
        INVALID_ARGUMENT,
        "write to dataset %s: the data's schema is incompatible (%s). Only new nullable columns"
            + " may be added; cast the data to the dataset's schema or write to a new dataset.",
        dataset,
        reason);
  }

  public static MlobjException unsafeStore(String uri) {
    return cannot(
        INVALID_ARGUMENT,
        "commit to dataset %s: the store ignored a conditional write (If-None-Match: *), so"
            + " concurrent commits could overwrite each other. Use a store with conditional writes"
            + " (AWS S3, MinIO 2024+), or set %s=true if only one writer ever commits.",
        uri,
        MlobjConf.ALLOW_UNSAFE_COMMIT);
  }
}
