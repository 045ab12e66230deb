package io.mlobj.internal.arrow;

import io.mlobj.arrow.ShardEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.types.pojo.Schema;

/** Encodes Arrow batches as one Arrow IPC file, optionally LZ4- or ZSTD-compressed. */
public final class ArrowIpcShardEncoder implements ShardEncoder {
  private final ByteBufferOutputFile out;
  private final VectorSchemaRoot staging;
  private final ArrowFileWriter writer;
  private final List<Long> batchRows = new ArrayList<>();
  private long rows;

  public ArrowIpcShardEncoder(
      Schema schema, String compression, BufferAllocator allocator, int initialCapacity) {
    this.out = new ByteBufferOutputFile(initialCapacity);
    this.staging = VectorSchemaRoot.create(schema, allocator);
    this.writer =
        new ArrowFileWriter(
            staging,
            null,
            Channels.newChannel(out),
            null,
            IpcOption.DEFAULT,
            codec(compression) == CompressionUtil.CodecType.NO_COMPRESSION
                ? NoCompressionCodec.Factory.INSTANCE
                : CommonsCompressionFactory.INSTANCE,
            codec(compression));
    try {
      writer.start();
    } catch (IOException e) {
      staging.close();
      throw new UncheckedIOException("Cannot start an Arrow IPC shard", e);
    }
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

  @Override
  public void write(VectorSchemaRoot batch) {
    if (batch.getRowCount() == 0) {
      return;
    }
    try (ArrowRecordBatch recordBatch = new VectorUnloader(batch).getRecordBatch()) {
      new VectorLoader(staging).load(recordBatch);
      writer.writeBatch();
      batchRows.add((long) batch.getRowCount());
      rows += batch.getRowCount();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot encode an Arrow IPC shard", e);
    }
  }

  @Override
  public long estimatedBytes() {
    return out.size();
  }

  @Override
  public long rows() {
    return rows;
  }

  @Override
  public Encoded finish() {
    try {
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot finish an Arrow IPC shard", e);
    }
    return new Encoded(out.toByteArray(), List.copyOf(batchRows));
  }

  @Override
  public void close() {
    writer.close();
    staging.close();
  }
}
