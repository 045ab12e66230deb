package io.mlobj;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;

/**
 * The file format of one shard, by its identifier stored in manifests. Chosen per write; a dataset
 * may mix formats. Each format is read and written by one {@link ShardCodec}, found through {@link
 * ShardCodecs}: {@link #PARQUET} and {@link #ARROW} ship with mlobj, others come from codecs on the
 * class path. Stable API.
 */
public final class ShardFormat implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Apache Parquet: the default; readable by pyarrow, DuckDB and Spark as plain files. */
  public static final ShardFormat PARQUET = new ShardFormat("parquet", "parquet");

  /** Arrow IPC file format, optionally LZ4- or ZSTD-compressed: the fastest to read. */
  public static final ShardFormat ARROW = new ShardFormat("arrow", "arrow");

  private final String id;
  private final String extension;

  /**
   * A format; codecs declare theirs with this.
   *
   * @param id the identifier stored in manifests (lower case)
   * @param extension the file extension of shard objects, without the dot
   */
  public ShardFormat(String id, String extension) {
    this.id = id.toLowerCase(Locale.ROOT);
    this.extension = extension;
  }

  /** The formats mlobj ships: Parquet and Arrow IPC. */
  public static List<ShardFormat> values() {
    return List.of(PARQUET, ARROW);
  }

  /** The identifier stored in manifests. */
  @JsonValue
  public String id() {
    return id;
  }

  /** The file extension of shard objects. */
  public String extension() {
    return extension;
  }

  /**
   * Parses a format name: {@code parquet}, {@code arrow} (or {@code ipc}, {@code feather}) or the
   * id or alias of a codec on the class path; case-insensitive.
   *
   * @throws MlobjException {@code INVALID_ARGUMENT} naming the known formats
   */
  public static ShardFormat parse(String value) {
    return ShardCodecs.parse(value).format();
  }

  /**
   * The format stored in a manifest, even when no codec for it is on the class path (reading such a
   * shard then fails naming the format).
   */
  @JsonCreator
  public static ShardFormat ofId(String id) {
    return ShardCodecs.find(id).map(ShardCodec::format).orElseGet(() -> new ShardFormat(id, id));
  }

  /** Engines ship shards between processes: come back as the registered instance. */
  private Object readResolve() {
    return ofId(id);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShardFormat other && other.id.equals(id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return id;
  }
}
