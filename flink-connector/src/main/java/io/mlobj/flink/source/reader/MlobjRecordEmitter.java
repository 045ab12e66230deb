package io.mlobj.flink.source.reader;

import io.mlobj.flink.source.split.MlobjSplitState;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/**
 * Emits the records of one batch and advances the split's position. A checkpoint happens between
 * two calls, never inside one, so the position always counts exactly the rows emitted.
 */
public final class MlobjRecordEmitter<T>
    implements RecordEmitter<RecordBatch<T>, T, MlobjSplitState> {
  @Override
  public void emitRecord(RecordBatch<T> batch, SourceOutput<T> output, MlobjSplitState state) {
    for (T record : batch.records()) {
      output.collect(record);
    }
    state.setRowsEmitted(batch.rowsEmittedAfter());
  }
}
