package io.mlobj.ops;

import java.util.List;

/**
 * What a vacuum deleted (or, in a dry run, would delete).
 *
 * @param dataset dataset URI
 * @param dryRun whether nothing was deleted
 * @param retainedVersions versions whose shards were kept
 * @param deleted keys of deleted (or deletable) objects, relative to the dataset root
 * @param deletedBytes their total size
 * @param keptYoung unreferenced objects kept because they are younger than the safety window
 *     (possibly an in-flight writer's)
 *     <p>Stable API.
 */
public record VacuumReport(
    String dataset,
    boolean dryRun,
    List<Long> retainedVersions,
    List<String> deleted,
    long deletedBytes,
    long keptYoung) {}
