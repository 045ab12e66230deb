package io.mlobj.flink.sink;

import io.mlobj.Shard;
import io.mlobj.flink.state.StateSerializer;
import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Versioned serializer of writer results (shards). Version 1: the kernel's manifest JSON. */
public final class ShardSerializer implements SimpleVersionedSerializer<Shard> {
  public static final int VERSION = 1;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(Shard shard) throws IOException {
    return shard.toJson();
  }

  @Override
  public Shard deserialize(int version, byte[] bytes) throws IOException {
    StateSerializer.checkVersion("shard", version);
    return Shard.fromJson(bytes);
  }
}
