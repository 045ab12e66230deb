package io.mlobj.flink.sink;

import io.mlobj.Shard;
import io.mlobj.flink.source.split.MlobjSplitSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Versioned serializer of {@link MlobjCommittable}s (the committer's checkpointed state). Version
 * 1: writer id, number, shard count, then each shard as length-prefixed manifest JSON.
 */
public final class MlobjCommittableSerializer
    implements SimpleVersionedSerializer<MlobjCommittable> {
  public static final int VERSION = 1;

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
    return out.getCopyOfBuffer();
  }

  @Override
  public MlobjCommittable deserialize(int version, byte[] bytes) throws IOException {
    MlobjSplitSerializer.checkVersion("committable", version);
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
    return new MlobjCommittable(writerId, number, list);
  }
}
