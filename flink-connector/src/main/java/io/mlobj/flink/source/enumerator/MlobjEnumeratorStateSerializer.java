package io.mlobj.flink.source.enumerator;

import io.mlobj.flink.source.split.MlobjSplit;
import io.mlobj.flink.source.split.MlobjSplitSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Versioned serializer of {@link MlobjEnumeratorState}. Version 1: last version, split count, then
 * each split in {@link MlobjSplitSerializer}'s version-1 layout.
 */
public final class MlobjEnumeratorStateSerializer
    implements SimpleVersionedSerializer<MlobjEnumeratorState> {
  public static final int VERSION = 1;

  public static final MlobjEnumeratorStateSerializer INSTANCE =
      new MlobjEnumeratorStateSerializer();

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(MlobjEnumeratorState state) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(1024);
    out.writeLong(state.lastVersion());
    out.writeInt(state.unassigned().size());
    for (MlobjSplit split : state.unassigned()) {
      MlobjSplitSerializer.write(split, out);
    }
    return out.getCopyOfBuffer();
  }

  @Override
  public MlobjEnumeratorState deserialize(int version, byte[] bytes) throws IOException {
    MlobjSplitSerializer.checkVersion("enumerator state", version);
    DataInputDeserializer in = new DataInputDeserializer(bytes);
    long lastVersion = in.readLong();
    int count = in.readInt();
    List<MlobjSplit> splits = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      splits.add(MlobjSplitSerializer.read(in));
    }
    return new MlobjEnumeratorState(lastVersion, splits);
  }
}
