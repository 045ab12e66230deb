package io.mlobj.spark.streaming;

import io.mlobj.MlobjErrors;
import org.apache.spark.sql.connector.read.streaming.Offset;

/** A streaming offset: the last dataset version included. JSON {@code {"version":N}}. */
public final class VersionOffset extends Offset {
  private final long version;

  public VersionOffset(long version) {
    this.version = version;
  }

  /** The version. */
  public long version() {
    return version;
  }

  /** Parses {@link #json()}. */
  public static VersionOffset parse(String json) {
    String digits = json.replaceAll("[^0-9]", "");
    if (digits.isEmpty() || !json.contains("version")) {
      throw MlobjErrors.badOption("offset", json, "{\"version\":N} as written by mlobj");
    }
    return new VersionOffset(Long.parseLong(digits));
  }

  @Override
  public String json() {
    return "{\"version\":" + version + "}";
  }
}
