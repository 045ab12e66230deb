package io.mlobj.internal.arrow;

import io.mlobj.arrow.ArrowIpcEncoder;
import java.util.Locale;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.Schema;

/** Encodes Arrow batches as one Arrow IPC file, optionally LZ4- or ZSTD-compressed. */
public final class ArrowIpcShardEncoder extends ArrowIpcEncoder {
  public ArrowIpcShardEncoder(
      Schema schema, String compression, BufferAllocator allocator, int initialCapacity) {
    super(
        schema,
        allocator,
        initialCapacity,
        (staging, out) ->
            new ArrowFileWriter(
                staging,
                null,
                out,
                null,
                IpcOption.DEFAULT,
                codec(compression) == CompressionUtil.CodecType.NO_COMPRESSION
                    ? NoCompressionCodec.Factory.INSTANCE
                    : CommonsCompressionFactory.INSTANCE,
                codec(compression)),
        "an Arrow IPC shard");
  }

  /** Parses a compression name; an unknown one is an error listing the valid ones. */
  public static CompressionUtil.CodecType codec(String compression) {
    String c = compression == null ? "none" : compression.trim().toLowerCase(Locale.ROOT);
    return switch (c) {
      case "none", "uncompressed", "" -> CompressionUtil.CodecType.NO_COMPRESSION;
      case "lz4", "lz4_frame" -> CompressionUtil.CodecType.LZ4_FRAME;
      case "zstd" -> CompressionUtil.CodecType.ZSTD;
      default ->
          throw io.mlobj.MlobjErrors.badOption(
              "compression", compression, "none, lz4 or zstd for Arrow IPC shards");
    };
  }
}
