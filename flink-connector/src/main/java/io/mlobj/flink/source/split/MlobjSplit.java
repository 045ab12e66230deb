package io.mlobj.flink.source.split;

import io.mlobj.ScanTask;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One unit of read work: a shard (or a range of its row groups / record batches) of a dataset
 * version, plus how many of its rows were already emitted. Immutable: a reader tracks progress in
 * {@link MlobjSplitState} and creates a new split with the new position when checkpointing.
 *
 * @param version the version the split was planned from (for messages)
 * @param task the shard range
 * @param rowsEmitted rows of the range already emitted; a restored reader skips them
 */
public record MlobjSplit(long version, ScanTask task, long rowsEmitted) implements SourceSplit {

  /** A split at the start of its range. */
  public static MlobjSplit of(long version, ScanTask task) {
    return new MlobjSplit(version, task, 0);
  }

  @Override
  public String splitId() {
    return task.shard().path() + "#" + task.firstBatch();
  }

  /** A copy positioned after {@code rows} emitted rows. */
  public MlobjSplit withRowsEmitted(long rows) {
    return new MlobjSplit(version, task, rows);
  }

  @Override
  public String toString() {
    return "MlobjSplit(" + splitId() + " @v" + version + ", emitted " + rowsEmitted + ")";
  }
}
