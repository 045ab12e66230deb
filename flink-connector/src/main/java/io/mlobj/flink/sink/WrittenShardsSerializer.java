package io.mlobj.flink.sink;

import io.mlobj.flink.state.StateSerializer;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Versioned serializer of writer results ({@link WrittenShards}). Version 1: the write start, the
 * shard count, then each shard as length-prefixed manifest JSON.
 */
public final class WrittenShardsSerializer extends StateSerializer<WrittenShards> {
  public WrittenShardsSerializer() {
    super("writer result", 1024);
  }

  @Override
  public void writeTo(WrittenShards written, DataOutputSerializer out) throws IOException {
    out.writeLong(written.writeStartedMillis());
    writeList(written.shards(), out, StateSerializer::writeShard);
  }

  @Override
  public WrittenShards readFrom(DataInputDeserializer in) throws IOException {
    long writeStarted = in.readLong();
    return new WrittenShards(readList(in, StateSerializer::readShard), writeStarted);
  }
}
