package io.mlobj.internal.commit;

import io.mlobj.VersionSummary;
import io.mlobj.internal.format.FormatCodec;
import io.mlobj.internal.format.VersionFile;
import io.mlobj.internal.format.VersionLog;
import io.mlobj.internal.format.VersionRecord;
import java.util.List;
import java.util.Map;

/**
 * The version a commit builds on. Normally the latest record; a damaged (or unknown-format) latest
 * version stops every commit with its error, except a rollback: a rollback's result depends only on
 * its target, so it may commit past a damaged head, which is how a user recovers (docs/FORMAT.md,
 * "Damaged version files"). The damaged head then stands as an empty version with the target's
 * schema and properties: the summary counts every restored shard as added, none as removed.
 */
public final class RollbackBase {
  private RollbackBase() {}

  /** The record to build on; throws the head's damage unless {@code request} is a rollback. */
  public static VersionRecord latest(VersionLog log, CommitRequest request, long latestVersion) {
    VersionFile head = log.probe(latestVersion).orElse(null);
    if (head == null) {
      return log.read(latestVersion); // vanished meanwhile: the usual not-found error
    }
    if (head.intact() || request.rollbackTo() <= 0) {
      return head.recordOrThrow();
    }
    VersionRecord target = log.read(request.rollbackTo());
    VersionSummary empty =
        new VersionSummary(
            // Stands in for the damaged head; only its position in the log is used.
            io.mlobj.Operation.ROLLBACK,
            0,
            "unknown",
            null,
            "unknown",
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            Map.of());
    return new VersionRecord(
        FormatCodec.CURRENT_FORMAT_VERSION,
        latestVersion,
        latestVersion - 1,
        null,
        target.schema(),
        target.partitionColumns(),
        target.properties(),
        List.of(),
        null,
        empty);
  }
}
