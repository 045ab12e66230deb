package io.mlobj.flink.source.split;

import io.mlobj.ScanTask;
import io.mlobj.flink.state.StateSerializer;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Versioned serializer of {@link MlobjSplit}s (checkpoints and enumerator-to-reader messages).
 * Version 1: version, the shard as manifest JSON (the kernel's stable format), firstBatch,
 * batchCount, rows, firstRow, rowsEmitted.
 */
public final class MlobjSplitSerializer extends StateSerializer<MlobjSplit> {
  public static final MlobjSplitSerializer INSTANCE = new MlobjSplitSerializer();

  private MlobjSplitSerializer() {
    super("split", 512);
  }

  @Override
  public void writeTo(MlobjSplit split, DataOutputSerializer out) throws IOException {
    out.writeLong(split.version());
    writeShard(split.task().shard(), out);
    out.writeInt(split.task().firstBatch());
    out.writeInt(split.task().batchCount());
    out.writeLong(split.task().rows());
    out.writeLong(split.task().firstRow());
    out.writeLong(split.rowsEmitted());
  }

  @Override
  public MlobjSplit readFrom(DataInputDeserializer in) throws IOException {
    long version = in.readLong();
    ScanTask task =
        new ScanTask(readShard(in), in.readInt(), in.readInt(), in.readLong(), in.readLong());
    return new MlobjSplit(version, task, in.readLong());
  }
}
