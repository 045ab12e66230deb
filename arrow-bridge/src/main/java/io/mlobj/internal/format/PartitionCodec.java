package io.mlobj.internal.format;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one encoding of partition values in the format (docs/FORMAT.md §1, §2): in data keys as
 * {@code col=value/...} path segments with column and value URL-encoded (UTF-8, {@code
 * application/x-www-form-urlencoded}), and in version files as JSON objects of every partition
 * column to its value, null kept as null.
 *
 * <p>Also parses the format-1 form of {@code changed-partitions}, raw {@code col=value/col2=value}
 * strings that a value containing {@code /} or {@code =} makes ambiguous: {@link #parseLegacy}
 * returns every reading, so that a conflict check over them stays conservative.
 */
public final class PartitionCodec {
  private PartitionCodec() {}

  /**
   * The key path of a partition: {@code col=value} segments joined by {@code /}, in the map's
   * order, null values omitted, column and value URL-encoded so that {@code /}, {@code =} and
   * {@code %} in them cannot be mistaken for separators. Empty for an unpartitioned shard.
   */
  public static String keyPath(Map<String, String> partition) {
    StringBuilder out = new StringBuilder();
    partition.forEach(
        (column, value) -> {
          if (value != null) {
            out.append(out.length() == 0 ? "" : "/")
                .append(encode(column))
                .append('=')
                .append(encode(value));
          }
        });
    return out.toString();
  }

  /** The partition of a {@link #keyPath}; columns whose value is null are absent. */
  public static Map<String, String> parseKeyPath(String path) {
    Map<String, String> out = new LinkedHashMap<>();
    if (path.isEmpty()) {
      return out;
    }
    for (String segment : path.split("/", -1)) {
      int eq = segment.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "Cannot parse partition path '" + path + "': segment '" + segment + "' has no col=");
      }
      out.put(decode(segment.substring(0, eq)), decode(segment.substring(eq + 1)));
    }
    return out;
  }

  /**
   * The version-file form of a shard's partition: every partition column in order, mapped to its
   * value or to null (a column absent from {@code partition} is null).
   */
  public static Map<String, String> structured(
      List<String> columns, Map<String, String> partition) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String column : columns) {
      out.put(column, partition.get(column));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Every way a format-1 {@code changed-partitions} entry ({@code col=value/col2=value}, raw
   * values, null columns omitted) can be read, given the partition columns in order. A value may
   * itself hold {@code /} or {@code col=}, so one string can name several partitions; an empty list
   * means no reading fits (the caller treats the entry as "possibly any partition").
   */
  public static List<Map<String, String>> parseLegacy(List<String> columns, String path) {
    List<Map<String, String>> out = new ArrayList<>();
    if (path.isEmpty()) {
      out.add(structured(columns, Map.of()));
      return out;
    }
    readings(columns, path.split("/", -1), 0, 0, new LinkedHashMap<>(), out);
    return out;
  }

  /**
   * Extends a reading: segment {@code from} starts the value of a column at or after {@code
   * firstColumn}; the value runs over one or more segments.
   */
  private static void readings(
      List<String> columns,
      String[] segments,
      int from,
      int firstColumn,
      Map<String, String> sofar,
      List<Map<String, String>> out) {
    if (from == segments.length) {
      out.add(structured(columns, sofar));
      return;
    }
    String segment = segments[from];
    for (int c = firstColumn; c < columns.size(); c++) {
      String prefix = columns.get(c) + "=";
      if (!segment.startsWith(prefix)) {
        continue;
      }
      StringBuilder value = new StringBuilder(segment.substring(prefix.length()));
      for (int end = from + 1; end <= segments.length; end++) {
        Map<String, String> next = new LinkedHashMap<>(sofar);
        next.put(columns.get(c), value.toString());
        readings(columns, segments, end, c + 1, next, out);
        if (end < segments.length) {
          value.append('/').append(segments[end]);
        }
      }
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
