package io.mlobj.flink.source.reader;

import io.mlobj.flink.source.MlobjDeserializer;
import io.mlobj.flink.source.ReadSettings;
import io.mlobj.flink.source.split.MlobjSplit;
import io.mlobj.flink.source.split.MlobjSplitState;
import java.util.Map;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;

/**
 * The source reader: one fetcher thread reading splits with {@link MlobjSplitReader}, records
 * emitted by {@link MlobjRecordEmitter}. Asks the enumerator for two splits at start (one to read,
 * one to prefetch) and for another whenever a split is finished.
 */
public final class MlobjSourceReader<T>
    extends SingleThreadMultiplexSourceReaderBase<RecordBatch<T>, T, MlobjSplit, MlobjSplitState> {

  public MlobjSourceReader(
      ReadSettings settings, MlobjDeserializer<T> deserializer, SourceReaderContext context) {
    super(
        () -> new MlobjSplitReader<>(settings, deserializer),
        new MlobjRecordEmitter<>(),
        context.getConfiguration(),
        context);
  }

  /** Splits a reader asks to hold: one being read, one whose shard is prefetched. */
  static final int SPLITS_IN_FLIGHT = 2;

  @Override
  public void start() {
    for (int i = getNumberOfCurrentlyAssignedSplits(); i < SPLITS_IN_FLIGHT; i++) {
      context.sendSplitRequest();
    }
  }

  @Override
  protected void onSplitFinished(Map<String, MlobjSplitState> finished) {
    context.sendSplitRequest();
  }

  @Override
  protected MlobjSplitState initializedState(MlobjSplit split) {
    return new MlobjSplitState(split);
  }

  @Override
  protected MlobjSplit toSplitType(String splitId, MlobjSplitState state) {
    return state.toSplit();
  }
}
