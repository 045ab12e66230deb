package io.mlobj.flink.sink;

import io.mlobj.MlobjException;
import io.mlobj.Shard;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Versioned serializer of {@link MlobjCommittable}s (the committer's checkpointed state). Version
 * 1: writer id, number, shard count, then each shard as length-prefixed manifest JSON. Version 2
 * appends the write start (epoch millis); a version-1 committable restores with {@link
 * MlobjCommittable#UNKNOWN_START}.
 */
public final class MlobjCommittableSerializer
    implements SimpleVersionedSerializer<MlobjCommittable> {
  public static final int VERSION = 2;

  private final ShardSerializer shards = new ShardSerializer();

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(MlobjCommittable committable) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(1024);
    out.writeUTF(committable.writerId());
    out.writeLong(committable.number());
    out.writeInt(committable.shards().size());
    for (Shard shard : committable.shards()) {
      byte[] bytes = shards.serialize(shard);
      out.writeInt(bytes.length);
      out.write(bytes);
    }
    out.writeLong(committable.writeStartedMillis());
    return out.getCopyOfBuffer();
  }

  @Override
  public MlobjCommittable deserialize(int version, byte[] bytes) throws IOException {
    if (version != 1 && version != 2) {
      throw new MlobjException(
          MlobjException.Kind.INVALID_ARGUMENT,
          "Cannot restore the mlobj committable: serializer version "
              + version
              + " is not supported (supported: [1, 2]). Restore with the connector version that"
              + " wrote the checkpoint.");
    }
    DataInputDeserializer in = new DataInputDeserializer(bytes);
    String writerId = in.readUTF();
    long number = in.readLong();
    int count = in.readInt();
    List<Shard> list = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] shard = new byte[in.readInt()];
      in.readFully(shard);
      list.add(shards.deserialize(ShardSerializer.VERSION, shard));
    }
    long writeStarted = version >= 2 ? in.readLong() : MlobjCommittable.UNKNOWN_START;
    return new MlobjCommittable(writerId, number, list, writeStarted);
  }
}
