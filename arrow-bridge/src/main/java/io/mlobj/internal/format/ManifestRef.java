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
 */
public record ManifestRef(
    String path,
    long addedVersion,
    long shards,
    long rows,
    long bytes,
    Map<String, List<String>> partitionValues) {}
