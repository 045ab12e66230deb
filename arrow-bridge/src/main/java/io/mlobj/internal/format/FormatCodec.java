package io.mlobj.internal.format;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.MlobjErrors;
import io.mlobj.Tag;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the JSON files of the format (version files, manifests, tags, the latest hint),
 * checking their format version. Files written by a newer mlobj with an unknown format version are
 * refused with a message naming the supported versions. Every file is decoded as UTF-8.
 */
public final class FormatCodec {
  /**
   * The format version this library writes. Version 2 records {@code changed-partitions} as objects
   * of column to value (null kept); version 1 wrote raw {@code col=value/...} strings.
   */
  public static final int CURRENT_FORMAT_VERSION = 2;

  /** Format versions this library reads. */
  public static final List<Integer> SUPPORTED_FORMAT_VERSIONS = List.of(1, 2);

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(DeserializationFeature.USE_LONG_FOR_INTS, true)
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private FormatCodec() {}

  /** The shared mapper (kebab-case properties), for other JSON files of mlobj tools. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static byte[] writeVersion(VersionRecord record) {
    return write(record);
  }

  /**
   * Parses a version file of any supported format version; format-1 {@code changed-partitions}
   * strings become every partition they can name ({@link PartitionCodec#parseLegacy}), or "possibly
   * all" (absent) when one fits no reading.
   */
  public static VersionRecord readVersion(byte[] bytes, String uri) {
    JsonNode tree = versionedTree(bytes, uri, SUPPORTED_FORMAT_VERSIONS);
    if (tree.get("format-version").asInt() == 1) {
      upgradeChangedPartitions((ObjectNode) tree);
    }
    return convert(tree, uri, VersionRecord.class);
  }

  private static void upgradeChangedPartitions(ObjectNode tree) {
    JsonNode legacy = tree.get("changed-partitions");
    if (legacy == null || !legacy.isArray()) {
      return;
    }
    List<String> columns = new ArrayList<>();
    tree.path("partition-columns").forEach(c -> columns.add(c.asText()));
    ArrayNode upgraded = MAPPER.createArrayNode();
    for (JsonNode entry : legacy) {
      List<Map<String, String>> readings =
          entry.isTextual() ? PartitionCodec.parseLegacy(columns, entry.asText()) : List.of();
      if (readings.isEmpty()) {
        tree.remove("changed-partitions");
        return;
      }
      readings.forEach(r -> upgraded.add(MAPPER.valueToTree(r)));
    }
    tree.set("changed-partitions", upgraded);
  }

  public static byte[] writeManifest(ManifestRecord record) {
    return write(record);
  }

  public static ManifestRecord readManifest(byte[] bytes, String uri) {
    return read(bytes, uri, ManifestRecord.class);
  }

  /**
   * The shard paths of a manifest, read by streaming past everything else (vacuum needs nothing
   * more, and binding every shard costs several times as much). The format version is checked as
   * {@link #readManifest} does; anything unexpected is left to {@link #readManifest}, which either
   * reads the file after all or fails with its usual message.
   */
  public static List<String> readManifestPaths(byte[] bytes, String uri) {
    try (JsonParser parser = MAPPER.getFactory().createParser(bytes)) {
      List<String> paths = new ArrayList<>();
      Integer formatVersion = null;
      boolean sawShards = false;
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return pathsOf(readManifest(bytes, uri));
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("format-version") && value == JsonToken.VALUE_NUMBER_INT) {
          formatVersion = parser.getIntValue();
        } else if (field.equals("shards") && value == JsonToken.START_ARRAY) {
          sawShards = true;
          if (!readShardPaths(parser, paths)) {
            return pathsOf(readManifest(bytes, uri));
          }
        } else {
          parser.skipChildren();
        }
      }
      if (formatVersion == null || !SUPPORTED_FORMAT_VERSIONS.contains(formatVersion)) {
        return pathsOf(readManifest(bytes, uri));
      }
      return sawShards ? paths : List.of();
    } catch (IOException e) {
      return pathsOf(readManifest(bytes, uri));
    }
  }

  /** Reads a {@code shards} array's top-level {@code path} strings; false if a shard lacks one. */
  private static boolean readShardPaths(JsonParser parser, List<String> paths) throws IOException {
    while (parser.nextToken() == JsonToken.START_OBJECT) {
      String path = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (field.equals("path") && value == JsonToken.VALUE_STRING) {
          path = parser.getText();
        } else {
          parser.skipChildren();
        }
      }
      if (path == null) {
        return false;
      }
      paths.add(path);
    }
    return parser.currentToken() == JsonToken.END_ARRAY;
  }

  private static List<String> pathsOf(ManifestRecord record) {
    return record.shards().stream().map(io.mlobj.Shard::path).toList();
  }

  public static byte[] writeTag(Tag tag) {
    return write(tag);
  }

  public static Tag readTag(byte[] bytes, String uri) {
    JsonNode tree = Utf8Json.parse(MAPPER, bytes, uri);
    try {
      return MAPPER.treeToValue(tree, Tag.class);
    } catch (IOException e) {
      throw MlobjErrors.malformed(uri, message(e));
    }
  }

  /** The latest-version hint: {@code {"version": N}}. */
  public static byte[] writeLatestHint(long version) {
    return ("{\"version\":" + version + "}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Parses the hint; a damaged hint is ignored (returns -1) since it is only an optimisation. */
  public static long readLatestHint(byte[] bytes) {
    try {
      JsonNode node = MAPPER.readTree(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
      return node == null ? -1 : node.path("version").asLong(-1);
    } catch (IOException e) {
      return -1;
    }
  }

  private static String message(IOException e) {
    return e instanceof JsonProcessingException j
        ? j.getOriginalMessage()
        : String.valueOf(e.getMessage());
  }

  /** Compact JSON: indentation made up a third of a manifest's bytes. Readers accept any JSON. */
  private static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  private static <T> T read(byte[] bytes, String uri, Class<T> type) {
    return readVersioned(bytes, uri, type, SUPPORTED_FORMAT_VERSIONS);
  }

  /**
   * Parses a JSON object that carries a {@code format-version}, refusing versions outside {@code
   * supported} and malformed content with errors naming {@code uri}.
   */
  public static <T> T readVersioned(
      byte[] bytes, String uri, Class<T> type, List<Integer> supported) {
    return convert(versionedTree(bytes, uri, supported), uri, type);
  }

  private static <T> T convert(JsonNode tree, String uri, Class<T> type) {
    try {
      return MAPPER.treeToValue(tree, type);
    } catch (IOException e) {
      throw MlobjErrors.malformed(uri, message(e));
    }
  }

  private static JsonNode versionedTree(byte[] bytes, String uri, List<Integer> supported) {
    JsonNode tree = Utf8Json.parse(MAPPER, bytes, uri);
    if (tree == null || !tree.isObject()) {
      throw MlobjErrors.malformed(uri, "it is not a JSON object");
    }
    JsonNode formatVersion = tree.get("format-version");
    if (formatVersion == null || !formatVersion.canConvertToInt()) {
      throw MlobjErrors.malformed(uri, "it has no integer 'format-version'");
    }
    if (!supported.contains(formatVersion.asInt())) {
      throw MlobjErrors.unsupportedFormatVersion(uri, formatVersion.asInt(), supported);
    }
    return tree;
  }
}
