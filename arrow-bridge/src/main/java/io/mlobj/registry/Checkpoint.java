package io.mlobj.registry;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One immutable version of a model in a {@link CheckpointRegistry}: the stored model file plus
 * schema-less metadata (loss, step, framework, training time, ...) and lineage (the dataset
 * versions that trained it, as {@code <dataset uri>@v<version>}, see {@link io.mlobj.Lineage}).
 *
 * @param model model name
 * @param version 1, 2, 3, ... per model
 * @param contentKey key of the model file, relative to the registry root
 * @param bytes size of the model file
 * @param crc32c CRC32C of the model file (unsigned 32-bit), verified on every read
 * @param createdMillis commit time, epoch milliseconds
 * @param user who stored it ({@code mlobj.user} or the OS user)
 * @param metadata free-form key/values
 * @param lineage training inputs, {@code uri@vN}
 * @param tags labels such as {@code tested}; the only mutable part (stored beside the record)
 *     <p>Stable API.
 */
public record Checkpoint(
    String model,
    long version,
    String contentKey,
    long bytes,
    long crc32c,
    long createdMillis,
    String user,
    Map<String, String> metadata,
    List<String> lineage,
    Set<String> tags) {
  public Checkpoint {
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    lineage = lineage == null ? List.of() : List.copyOf(lineage);
    tags = tags == null ? Set.of() : java.util.Collections.unmodifiableSet(new TreeSet<>(tags));
  }

  /** {@code model@vN}, how checkpoints are named in messages and lineage output. */
  public String ref() {
    return model + "@v" + version;
  }

  /** The CRC32C as 8 hex digits. */
  public String crc32cHex() {
    return String.format("%08x", crc32c);
  }

  /** A copy with other tags. */
  public Checkpoint withTags(Set<String> newTags) {
    return new Checkpoint(
        model, version, contentKey, bytes, crc32c, createdMillis, user, metadata, lineage, newTags);
  }
}
