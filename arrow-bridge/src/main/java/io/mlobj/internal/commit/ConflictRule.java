package io.mlobj.internal.commit;

import io.mlobj.VersionSummary;
import io.mlobj.internal.format.VersionRecord;

/**
 * When a commit that lost the race for a version can be rebased onto a version committed after the
 * one it read, and when it conflicts: one rule per kind of commit, mirroring the table in
 * docs/FORMAT.md §6.2. {@link #of} picks the rule from what the request does (a partition overwrite
 * and a full overwrite are both recorded as {@code overwrite} but follow different rules).
 */
public enum ConflictRule {
  /** Append, create, set-properties: depend on no data, so always rebase. */
  REBASE {
    @Override
    public boolean conflicts(CommitRequest request, VersionRecord meanwhile) {
      return false;
    }
  },

  /** Full overwrite, rollback: replace every shard, so any change to the data conflicts. */
  WHOLE_DATASET {
    @Override
    public boolean conflicts(CommitRequest request, VersionRecord meanwhile) {
      return changedData(meanwhile);
    }
  },

  /**
   * Partition overwrite, delete: conflict with a version that changed a partition they remove
   * ({@code changed-partitions}), or changed data when it does not say which partitions.
   */
  PARTITIONS {
    @Override
    public boolean conflicts(CommitRequest request, VersionRecord meanwhile) {
      if (meanwhile.changedPartitions() == null) {
        return changedData(meanwhile);
      }
      return meanwhile.changedPartitions().stream()
          .anyMatch(
              p -> PartitionFilter.matches(request.removeWhere(), meanwhile.partitionColumns(), p));
    }
  },

  /**
   * Compaction ({@code replace}): rewrites rows that stay, so appends rebase; a version that
   * removed shards conflicts (and a shard to replace that is gone is a conflict when the commit is
   * re-applied).
   */
  COMPACTION {
    @Override
    public boolean conflicts(CommitRequest request, VersionRecord meanwhile) {
      return meanwhile.summary().shardsRemoved() > 0;
    }
  };

  /** Whether {@code meanwhile}, committed after {@code request.readVersion()}, forbids a rebase. */
  public abstract boolean conflicts(CommitRequest request, VersionRecord meanwhile);

  /** The rule for a request, from what it removes. */
  public static ConflictRule of(CommitRequest request) {
    if (request.removeAll() || request.rollbackTo() > 0) {
      return WHOLE_DATASET;
    }
    if (request.removeWhere() != null) {
      return PARTITIONS;
    }
    if (!request.removePaths().isEmpty()) {
      return COMPACTION;
    }
    return REBASE;
  }

  private static boolean changedData(VersionRecord record) {
    VersionSummary s = record.summary();
    return s.shardsAdded() > 0 || s.shardsRemoved() > 0;
  }
}
