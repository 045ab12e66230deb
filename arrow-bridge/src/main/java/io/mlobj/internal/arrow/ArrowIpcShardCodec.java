package io.mlobj.internal.arrow;

import io.mlobj.ShardCodec;
import io.mlobj.ShardFormat;
import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.ShardEncoder;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.SeekableReadChannel;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Arrow IPC file shards: record batches are the blocks, and the file's footer indexes them, so one
 * block can be read by range.
 */
public final class ArrowIpcShardCodec implements ShardCodec {
  @Override
  public ShardFormat format() {
    return ShardFormat.ARROW;
  }

  @Override
  public List<String> aliases() {
    return List.of("ipc", "feather", "arrow-ipc");
  }

  @Override
  public List<String> fileExtensions() {
    return List.of(".arrow", ".feather", ".ipc");
  }

  @Override
  public void checkCompression(String compression) {
    ArrowIpcShardEncoder.codec(compression);
  }

  @Override
  public ShardEncoder newEncoder(
      Schema schema,
      String compression,
      long blockBytes,
      BufferAllocator allocator,
      int initialCapacity) {
    return new ArrowIpcShardEncoder(schema, compression, allocator, initialCapacity);
  }

  @Override
  public BatchReader open(
      Source source,
      Schema schema,
      BufferAllocator allocator,
      int firstBlock,
      int blockCount,
      int batchRows) {
    return source.arrow() != null
        ? new ArrowIpcBatchReader(source.arrow(), schema, allocator, firstBlock, blockCount)
        : new ArrowIpcBatchReader(source.buffer(), schema, allocator, firstBlock, blockCount);
  }

  @Override
  public boolean readsBlocksByRange() {
    return true;
  }

  @Override
  public BatchReader openBlock(
      SeekableByteChannel object, Schema wanted, BufferAllocator allocator, int block)
      throws Exception {
    FixedShapeTensorType.ensureRegistered();
    ArrowFileReader reader =
        new ArrowFileReader(
            new SeekableReadChannel(object), allocator, CommonsCompressionFactory.INSTANCE);
    try {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      for (Field field : wanted.getFields()) {
        if (root.getSchema().findField(field.getName()) == null) {
          reader.close();
          return null;
        }
      }
      int index = Math.max(0, block);
      if (index >= reader.getRecordBlocks().size()) {
        throw new IOException("record batch " + index + " is missing");
      }
      reader.loadRecordBatch(reader.getRecordBlocks().get(index));
      return new LoadedBlock(reader, root);
    } catch (Exception e) {
      try {
        reader.close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** One loaded record batch; closing it frees the reader's memory. */
  private record LoadedBlock(ArrowFileReader reader, VectorSchemaRoot root) implements BatchReader {
    @Override
    public boolean next() {
      return false;
    }

    @Override
    public void close() {
      try {
        reader.close();
      } catch (IOException e) {
        // Releasing memory only.
      }
    }
  }
}
