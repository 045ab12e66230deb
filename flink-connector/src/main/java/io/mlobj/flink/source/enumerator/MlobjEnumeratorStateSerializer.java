package io.mlobj.flink.source.enumerator;

import io.mlobj.flink.source.split.MlobjSplitSerializer;
import io.mlobj.flink.state.StateSerializer;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Versioned serializer of {@link MlobjEnumeratorState}. Version 1: last version, split count, then
 * each split in {@link MlobjSplitSerializer}'s version-1 layout.
 */
public final class MlobjEnumeratorStateSerializer extends StateSerializer<MlobjEnumeratorState> {
  public static final MlobjEnumeratorStateSerializer INSTANCE =
      new MlobjEnumeratorStateSerializer();

  private static final MlobjSplitSerializer SPLITS = MlobjSplitSerializer.INSTANCE;

  private MlobjEnumeratorStateSerializer() {
    super("enumerator state", 1024);
  }

  @Override
  public void writeTo(MlobjEnumeratorState state, DataOutputSerializer out) throws IOException {
    out.writeLong(state.lastVersion());
    writeList(state.unassigned(), out, SPLITS::writeTo);
  }

  @Override
  public MlobjEnumeratorState readFrom(DataInputDeserializer in) throws IOException {
    long lastVersion = in.readLong();
    return new MlobjEnumeratorState(lastVersion, readList(in, SPLITS::readFrom));
  }
}
