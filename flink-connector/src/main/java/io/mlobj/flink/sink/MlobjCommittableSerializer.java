package io.mlobj.flink.sink;

import io.mlobj.flink.state.StateSerializer;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Versioned serializer of {@link MlobjCommittable}s (the committer's checkpointed state). Version
 * 1: writer id, number, shard count, then each shard as length-prefixed manifest JSON. Version 2
 * appends the write start (epoch millis); a version-1 committable restores with {@link
 * MlobjCommittable#UNKNOWN_START}.
 */
public final class MlobjCommittableSerializer extends StateSerializer<MlobjCommittable> {
  /** The layout written. */
  public static final int VERSION = 2;

  public MlobjCommittableSerializer() {
    super("committable", 1024, VERSION);
  }

  @Override
  public void writeTo(MlobjCommittable committable, DataOutputSerializer out) throws IOException {
    out.writeUTF(committable.writerId());
    out.writeLong(committable.number());
    writeList(committable.shards(), out, StateSerializer::writeShard);
    out.writeLong(committable.writeStartedMillis());
  }

  @Override
  public MlobjCommittable readFrom(DataInputDeserializer in) throws IOException {
    return readFrom(in, VERSION);
  }

  @Override
  protected MlobjCommittable readFrom(DataInputDeserializer in, int version) throws IOException {
    String writerId = in.readUTF();
    long number = in.readLong();
    var shards = readList(in, StateSerializer::readShard);
    long writeStarted = version >= 2 ? in.readLong() : MlobjCommittable.UNKNOWN_START;
    return new MlobjCommittable(writerId, number, shards, writeStarted);
  }
}
