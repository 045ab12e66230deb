package io.mlobj;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The file format of one shard. Chosen per write; a dataset may mix formats. */
public enum ShardFormat {
  /** Apache Parquet: the default; readable by pyarrow, DuckDB and Spark as plain files. */
  PARQUET("parquet", "parquet"),
  /** Arrow IPC file format, optionally LZ4- or ZSTD-compressed: the fastest to read. */
  ARROW("arrow", "arrow");

  private final String id;
  private final String extension;

  ShardFormat(String id, String extension) {
    this.id = id;
    this.extension = extension;
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

  /** Parses {@code parquet}, {@code arrow} (or {@code ipc}, {@code feather}); case-insensitive. */
  @JsonCreator
  public static ShardFormat parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "parquet" -> PARQUET;
      case "arrow", "ipc", "feather", "arrow-ipc" -> ARROW;
      default -> throw MlobjErrors.badOption("format", value, "parquet or arrow");
    };
  }
}
