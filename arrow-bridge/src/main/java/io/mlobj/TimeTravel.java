package io.mlobj;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * Which version to read: the latest, a version number, a tag or a point in time. Engines build it
 * from their options with {@link #fromOptions(Map)}, which accepts {@code versionAsOf}, {@code
 * timestampAsOf} and {@code tag} (case-insensitive; also {@code version}).
 *
 * @param version a version number, or -1
 * @param tag a tag name, or null
 * @param timestampMillis a point in time, or -1
 *     <p>Stable API.
 */
public record TimeTravel(long version, String tag, long timestampMillis) {
  /** The latest version. */
  public static TimeTravel latest() {
    return new TimeTravel(-1, null, -1);
  }

  public static TimeTravel version(long version) {
    if (version <= 0) {
      throw MlobjErrors.badOption("versionAsOf", String.valueOf(version), "a version number >= 1");
    }
    return new TimeTravel(version, null, -1);
  }

  public static TimeTravel tag(String tag) {
    return new TimeTravel(-1, tag, -1);
  }

  public static TimeTravel timestamp(long millis) {
    return new TimeTravel(-1, null, millis);
  }

  /** Parses engine options; more than one of the three is an error. */
  public static TimeTravel fromOptions(Map<String, String> options) {
    String version = null;
    String tag = null;
    String timestamp = null;
    for (Map.Entry<String, String> e : options.entrySet()) {
      String k = e.getKey().toLowerCase(java.util.Locale.ROOT);
      if (k.equals("versionasof") || k.equals("version")) {
        version = e.getValue();
      } else if (k.equals("tag")) {
        tag = e.getValue();
      } else if (k.equals("timestampasof")) {
        timestamp = e.getValue();
      }
    }
    int given = (version != null ? 1 : 0) + (tag != null ? 1 : 0) + (timestamp != null ? 1 : 0);
    if (given > 1) {
      throw new MlobjException(
          MlobjException.Kind.INVALID_ARGUMENT,
          "Cannot choose a version: give only one of versionAsOf, timestampAsOf and tag.");
    }
    if (version != null) {
      try {
        return version(Long.parseLong(version.trim()));
      } catch (NumberFormatException e) {
        throw MlobjErrors.badOption("versionAsOf", version, "a version number >= 1");
      }
    }
    if (tag != null) {
      return tag(tag);
    }
    if (timestamp != null) {
      return timestamp(parseTimestamp(timestamp));
    }
    return latest();
  }

  /** Parses epoch milliseconds, an ISO instant, an ISO local date-time (UTC) or a date. */
  public static long parseTimestamp(String value) {
    String v = value.trim();
    try {
      if (v.chars().allMatch(Character::isDigit)) {
        return Long.parseLong(v);
      }
      if (v.endsWith("Z") || v.matches(".*[+-]\\d\\d:\\d\\d$")) {
        return Instant.parse(v).toEpochMilli();
      }
      if (v.length() == 10) {
        return LocalDate.parse(v).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
      }
      return LocalDateTime.parse(v.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli();
    } catch (DateTimeParseException | NumberFormatException e) {
      throw MlobjErrors.badOption(
          "timestampAsOf", value, "epoch milliseconds or an ISO time such as 2026-11-24T10:15:00Z");
    }
  }

  /** Whether this selects the latest version. */
  public boolean isLatest() {
    return version < 0 && tag == null && timestampMillis < 0;
  }

  @Override
  public String toString() {
    if (version > 0) {
      return "version " + version;
    }
    if (tag != null) {
      return "tag '" + tag + "'";
    }
    if (timestampMillis >= 0) {
      return "as of " + Instant.ofEpochMilli(timestampMillis);
    }
    return "latest";
  }
}
