package io.mlobj.flink.source.enumerator;

import io.mlobj.flink.source.split.MlobjSplit;
import java.util.List;

/**
 * The checkpointed state of the split enumerator: the last dataset version whose shards were turned
 * into splits, and the splits not yet assigned to a reader. Splits assigned to readers live in the
 * readers' state.
 *
 * @param lastVersion the last version planned; 0 before the first planning
 * @param unassigned splits waiting for a reader
 */
public record MlobjEnumeratorState(long lastVersion, List<MlobjSplit> unassigned) {
  public MlobjEnumeratorState {
    unassigned = List.copyOf(unassigned);
  }
}
