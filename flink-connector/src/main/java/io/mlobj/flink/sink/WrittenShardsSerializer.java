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
 * Versioned serializer of writer results ({@link WrittenShards}). Version 1: the write start, the
 * shard count, then each shard as length-prefixed manifest JSON.
 */
public final class WrittenShardsSerializer implements SimpleVersionedSerializer<WrittenShards> {
  public static final int VERSION = 1;

  private final ShardSerializer shards = new ShardSerializer();

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(WrittenShards written) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(1024);
    out.writeLong(written.writeStartedMillis());
    out.writeInt(written.shards().size());
    for (Shard shard : written.shards()) {
      byte[] bytes = shards.serialize(shard);
      out.writeInt(bytes.length);
      out.write(bytes);
    }
    return out.getCopyOfBuffer();
  }

  @Override
  public WrittenShards deserialize(int version, byte[] bytes) throws IOException {
    MlobjSplitSerializer.checkVersion("writer result", version);
    DataInputDeserializer in = new DataInputDeserializer(bytes);
    long writeStarted = in.readLong();
    int count = in.readInt();
    List<Shard> list = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] shard = new byte[in.readInt()];
      in.readFully(shard);
      list.add(shards.deserialize(ShardSerializer.VERSION, shard));
    }
    return new WrittenShards(list, writeStarted);
  }
}
