package io.mlobj.flink.source.enumerator;

import io.mlobj.Dataset;
import io.mlobj.Scan;
import io.mlobj.ScanTask;
import io.mlobj.Shard;
import io.mlobj.Snapshot;
import io.mlobj.flink.source.ReadSettings;
import io.mlobj.flink.source.split.MlobjSplit;
import io.mlobj.format.ManifestRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns dataset versions into splits: a whole snapshot (bounded reads, the first step of a
 * continuous read) or only the shards a version added (continuous discovery).
 *
 * <p>Which versions add data for a continuous read: {@code append}, {@code create} and {@code
 * overwrite} versions contribute the shards they added (an overwrite's removed rows were already
 * emitted and are not retracted); {@code replace} (compaction rewrites rows already read), {@code
 * rollback}, {@code delete}, {@code set-properties} and schema changes contribute nothing.
 */
final class SplitPlanner {
  /** Operations whose added shards hold new rows. */
  static final Set<String> ADDING_OPERATIONS = Set.of("append", "create", "overwrite");

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

  /** Splits for the shards that {@code version} added, following the rules in the class comment. */
  List<MlobjSplit> planAdded(Dataset dataset, long version) {
    Snapshot snapshot = dataset.version(version);
    if (!ADDING_OPERATIONS.contains(snapshot.summary().operation())) {
      return List.of();
    }
    List<MlobjSplit> out = new ArrayList<>();
    for (ManifestRef ref : snapshot.manifests()) {
      if (ref.addedVersion() != version) {
        continue;
      }
      for (Shard shard : dataset.log().manifest(ref).shards()) {
        if (!settings.filter().mightMatch(shard)) {
          continue;
        }
        for (ScanTask task : Scan.split(shard, settings.targetSplitRows())) {
          out.add(MlobjSplit.of(version, task));
        }
      }
    }
    return out;
  }
}
