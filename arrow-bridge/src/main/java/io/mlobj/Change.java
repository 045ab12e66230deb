package io.mlobj;

import java.util.ArrayList;
import java.util.List;

/**
 * What one version changed, compared with the version before it: the shards it added and removed (a
 * rollback adds back the shards of the version it restores; a compaction removes small shards and
 * adds their rewrite). Returned by {@link Changes#list()}. Stable API.
 *
 * @param version the version
 * @param operation what the version did
 * @param added shards present in this version and not in the one before, that the filter may match
 * @param removed shards present in the version before and not in this one, that the filter may
 *     match
 */
public record Change(long version, Operation operation, List<Shard> added, List<Shard> removed) {
  public Change {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
  }

  /**
   * The added shards whose rows are new to the dataset (see {@link Operation#addsNewRows()}): what
   * a streaming or incremental read emits for this version. Empty for a compaction or rollback.
   */
  public List<Shard> newRows() {
    return operation.addsNewRows() ? added : List.of();
  }

  /** {@link #newRows()} split into read tasks of about {@code targetSplitRows} rows. */
  public List<ScanTask> newRowTasks(long targetSplitRows) {
    List<ScanTask> out = new ArrayList<>();
    for (Shard shard : newRows()) {
      out.addAll(Scan.split(shard, targetSplitRows));
    }
    return out;
  }
}
