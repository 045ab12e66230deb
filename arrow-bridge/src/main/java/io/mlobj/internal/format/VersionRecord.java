package io.mlobj.internal.format;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.mlobj.VersionSummary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The content of one version file {@code _mlobj/versions/<20-digit version>.json}. See
 * docs/FORMAT.md for the normative description.
 *
 * @param formatVersion format version of this file
 * @param version the version number (1, 2, ...)
 * @param parentVersion the version this one was built on (0 for the first)
 * @param transactionId unique id of the committing transaction, to recognise one's own commit when
 *     the outcome of a write was unknown
 * @param schema Arrow schema, base64 of an Arrow IPC schema message
 * @param partitionColumns partition columns, in order
 * @param properties dataset properties as of this version
 * @param manifests the manifests whose shards make up this version
 * @param changedPartitions partitions this version added shards to or removed shards from, each as
 *     every partition column to its value (null kept as null; see {@link PartitionCodec}), or null
 *     for "possibly all"
 * @param summary what the version did and who did it
 */
public record VersionRecord(
    int formatVersion,
    long version,
    long parentVersion,
    String transactionId,
    String schema,
    List<String> partitionColumns,
    Map<String, String> properties,
    List<ManifestRef> manifests,
    @JsonInclude(content = JsonInclude.Include.ALWAYS) List<Map<String, String>> changedPartitions,
    VersionSummary summary) {
  public VersionRecord {
    partitionColumns = partitionColumns == null ? List.of() : List.copyOf(partitionColumns);
    properties = properties == null ? Map.of() : Map.copyOf(properties);
    manifests = manifests == null ? List.of() : List.copyOf(manifests);
    if (changedPartitions != null) {
      List<Map<String, String>> copy = new ArrayList<>();
      changedPartitions.forEach(p -> copy.add(Collections.unmodifiableMap(new LinkedHashMap<>(p))));
      changedPartitions = Collections.unmodifiableList(copy);
    }
  }
}
