package io.mlobj.flink.sink;

import io.mlobj.flink.state.StateSerializer;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Versioned serializer of {@link MlobjCommittable}s (the committer's checkpointed state). Version
 * 1: writer id, number, shard count, then each shard as length-prefixed manifest JSON.
 */
public final class MlobjCommittableSerializer extends StateSerializer<MlobjCommittable> {
  public MlobjCommittableSerializer() {
    super("committable", 1024);
  }

  @Override
  public void writeTo(MlobjCommittable committable, DataOutputSerializer out) throws IOException {
    out.writeUTF(committable.writerId());
    out.writeLong(committable.number());
    writeList(committable.shards(), out, StateSerializer::writeShard);
  }

  @Override
  public MlobjCommittable readFrom(DataInputDeserializer in) throws IOException {
    String writerId = in.readUTF();
    long number = in.readLong();
    return new MlobjCommittable(writerId, number, readList(in, StateSerializer::readShard));
  }
}
