package io.mlobj;

import java.util.Map;

/**
 * What a version did and who did it. Stored in the version file; immutable.
 *
 * @param operation what the version did
 * @param timestampMillis commit time, epoch milliseconds (the committer's clock)
 * @param engine the writing engine and version, e.g. {@code spark-4.2.0}, {@code flink-2.3.0},
 *     {@code mlobj-java}
 * @param appId the engine's application or job id, if any
 * @param user the OS user or the {@code mlobj.user} setting
 * @param rowsAdded rows in added shards
 * @param rowsRemoved rows in removed shards
 * @param bytesAdded bytes in added shards
 * @param bytesRemoved bytes in removed shards
 * @param shardsAdded shards added
 * @param shardsRemoved shards removed
 * @param totalRows rows in the version
 * @param totalBytes bytes in the version
 * @param totalShards shards in the version
 * @param properties free-form key/values, e.g. lineage {@code source = s3a://raw/x@v12}
 *     <p>Stable API.
 */
public record VersionSummary(
    Operation operation,
    long timestampMillis,
    String engine,
    String appId,
    String user,
    long rowsAdded,
    long rowsRemoved,
    long bytesAdded,
    long bytesRemoved,
    long shardsAdded,
    long shardsRemoved,
    long totalRows,
    long totalBytes,
    long totalShards,
    Map<String, String> properties) {
  public VersionSummary {
    properties = properties == null ? Map.of() : Map.copyOf(properties);
  }
}
