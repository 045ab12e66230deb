package io.mlobj.flink.source.enumerator;

import io.mlobj.Change;
import io.mlobj.Dataset;
import io.mlobj.Scan;
import io.mlobj.ScanTask;
import io.mlobj.Snapshot;
import io.mlobj.flink.source.ReadSettings;
import io.mlobj.flink.source.split.MlobjSplit;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns dataset versions into splits: a whole snapshot (bounded reads, the first step of a
 * continuous read) or the shards with new rows that versions added (continuous discovery), as the
 * kernel's {@link Dataset#changes} defines them ({@link io.mlobj.Operation#addsNewRows()}: an
 * overwrite's removed rows were already emitted and are not retracted; a compaction or rollback
 * adds no new rows).
 */
final class SplitPlanner {
  private final ReadSettings settings;

  SplitPlanner(ReadSettings settings) {
    this.settings = settings;
  }

  /** Splits for every shard of a snapshot that the filter may match. */
  List<MlobjSplit> planSnapshot(Snapshot snapshot) {
    List<MlobjSplit> out = new ArrayList<>();
    Scan scan =
        snapshot
            .newScan()
            .select(settings.columns())
            .filter(settings.filter())
            .targetSplitRows(settings.targetSplitRows())
            .build();
    for (ScanTask task : scan.planTasks()) {
      out.add(MlobjSplit.of(snapshot.version(), task));
    }
    return out;
  }

  /** Splits for the new rows that versions {@code (from, to]} added, oldest version first. */
  List<MlobjSplit> planAdded(Dataset dataset, long from, long to) {
    List<MlobjSplit> out = new ArrayList<>();
    for (Change change : dataset.changes(from, to).filter(settings.filter()).list()) {
      for (ScanTask task : change.newRowTasks(settings.targetSplitRows())) {
        out.add(MlobjSplit.of(change.version(), task));
      }
    }
    return out;
  }
}
