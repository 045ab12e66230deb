package io.mlobj.internal.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.internal.format.FormatCodec;
import io.mlobj.registry.AliasEntry;
import io.mlobj.registry.Checkpoint;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/** JSON of registry records, with a format version checked on read. */
public final class RegistryCodec {
  public static final int CURRENT_FORMAT_VERSION = 1;
  public static final List<Integer> SUPPORTED_FORMAT_VERSIONS = List.of(1);

  private RegistryCodec() {}

  public static byte[] writeCheckpoint(Checkpoint checkpoint) {
    ObjectNode node = FormatCodec.mapper().valueToTree(checkpoint);
    node.remove("tags"); // tags are mutable and live beside the immutable record
    return write(node);
  }

  public static Checkpoint readCheckpoint(byte[] bytes, String uri, Set<String> tags) {
    return read(bytes, uri, Checkpoint.class).withTags(tags);
  }

  public static byte[] writeAlias(AliasEntry entry) {
    return write(FormatCodec.mapper().valueToTree(entry));
  }

  public static AliasEntry readAlias(byte[] bytes, String uri) {
    return read(bytes, uri, AliasEntry.class);
  }

  private static byte[] write(ObjectNode node) {
    node.put("format-version", CURRENT_FORMAT_VERSION);
    try {
      return FormatCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot serialize a registry record: " + e, e);
    }
  }

  private static <T> T read(byte[] bytes, String uri, Class<T> type) {
    return FormatCodec.readVersioned(bytes, uri, type, SUPPORTED_FORMAT_VERSIONS);
  }
}
