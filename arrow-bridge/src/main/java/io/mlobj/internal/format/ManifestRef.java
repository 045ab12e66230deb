package io.mlobj.internal.format;

import java.util.List;
import java.util.Map;

/**
 * A version's reference to one manifest, with totals so that planning can skip manifests and
 * summaries need no manifest reads.
 *
 * @param path key of the manifest relative to the dataset root
 * @param addedVersion the version that wrote the manifest
 * @param shards number of shards listed
 * @param rows rows in those shards
 * @param bytes bytes in those shards
 * @param partitionValues distinct partition values per partition column, or null if there are too
 *     many to list (then the manifest may hold any value)
 * @param mergedFrom the manifests whose shards this one holds, all of them (a merge that dropped
 *     nothing), or null; recorded only by the version that merged them (docs/FORMAT.md §3), so that
 *     vacuum, having read this manifest, need not read those
 */
public record ManifestRef(
    String path,
    long addedVersion,
    long shards,
    long rows,
    long bytes,
    Map<String, List<String>> partitionValues,
    List<String> mergedFrom) {

  public ManifestRef {
    mergedFrom = mergedFrom == null || mergedFrom.isEmpty() ? null : List.copyOf(mergedFrom);
  }

  /** A reference that records no merge sources. */
  public ManifestRef(
      String path,
      long addedVersion,
      long shards,
      long rows,
      long bytes,
      Map<String, List<String>> partitionValues) {
    this(path, addedVersion, shards, rows, bytes, partitionValues, null);
  }

  /** This reference as a later version carries it forward: without its merge sources. */
  public ManifestRef withoutMergedFrom() {
    return mergedFrom == null
        ? this
        : new ManifestRef(path, addedVersion, shards, rows, bytes, partitionValues, null);
  }
}
