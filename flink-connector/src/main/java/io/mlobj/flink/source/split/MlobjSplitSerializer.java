package io.mlobj.flink.source.split;

import io.mlobj.MlobjException;
import io.mlobj.ScanTask;
import io.mlobj.Shard;
import java.io.IOException;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Versioned serializer of {@link MlobjSplit}s (checkpoints and enumerator-to-reader messages).
 * Version 1: version, the shard as manifest JSON (the kernel's stable format), firstBatch,
 * batchCount, rows, firstRow, rowsEmitted.
 */
public final class MlobjSplitSerializer implements SimpleVersionedSerializer<MlobjSplit> {
  /** The version written. */
  public static final int VERSION = 1;

  /** The versions this serializer reads. */
  public static final List<Integer> SUPPORTED_VERSIONS = List.of(1);

  public static final MlobjSplitSerializer INSTANCE = new MlobjSplitSerializer();

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(MlobjSplit split) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(512);
    write(split, out);
    return out.getCopyOfBuffer();
  }

  @Override
  public MlobjSplit deserialize(int version, byte[] bytes) throws IOException {
    checkVersion("split", version);
    return read(new DataInputDeserializer(bytes));
  }

  /** Writes a split (the version-1 layout) into a larger structure. */
  public static void write(MlobjSplit split, DataOutputSerializer out) throws IOException {
    out.writeLong(split.version());
    byte[] shard = shardJson(split.task().shard());
    out.writeInt(shard.length);
    out.write(shard);
    out.writeInt(split.task().firstBatch());
    out.writeInt(split.task().batchCount());
    out.writeLong(split.task().rows());
    out.writeLong(split.task().firstRow());
    out.writeLong(split.rowsEmitted());
  }

  /** Reads a split written by {@link #write}. */
  public static MlobjSplit read(DataInputDeserializer in) throws IOException {
    long version = in.readLong();
    byte[] shardBytes = new byte[in.readInt()];
    in.readFully(shardBytes);
    Shard shard = Shard.fromJson(shardBytes);
    ScanTask task = new ScanTask(shard, in.readInt(), in.readInt(), in.readLong(), in.readLong());
    return new MlobjSplit(version, task, in.readLong());
  }

  private static byte[] shardJson(Shard shard) {
    return shard.toJson();
  }

  /** Fails with a clear message for versions this code cannot read. */
  public static void checkVersion(String what, int version) {
    if (!SUPPORTED_VERSIONS.contains(version)) {
      throw new MlobjException(
          MlobjException.Kind.INVALID_ARGUMENT,
          "Cannot restore the mlobj "
              + what
              + ": serializer version "
              + version
              + " is not supported (supported: "
              + SUPPORTED_VERSIONS
              + "). Restore with the connector version that wrote the checkpoint.");
    }
  }
}
