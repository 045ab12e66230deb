package io.mlobj.flink.source.split;

/** The mutable progress of one assigned split: rows emitted so far. Used by the reader thread. */
public final class MlobjSplitState {
  private final MlobjSplit split;
  private long rowsEmitted;

  public MlobjSplitState(MlobjSplit split) {
    this.split = split;
    this.rowsEmitted = split.rowsEmitted();
  }

  /** Records that all rows up to {@code rows} (counted from the split's start) were emitted. */
  public void setRowsEmitted(long rows) {
    this.rowsEmitted = rows;
  }

  public long rowsEmitted() {
    return rowsEmitted;
  }

  /** The split with the current position, for a checkpoint. */
  public MlobjSplit toSplit() {
    return split.withRowsEmitted(rowsEmitted);
  }
}
