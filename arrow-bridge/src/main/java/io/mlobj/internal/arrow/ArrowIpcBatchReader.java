package io.mlobj.internal.arrow;

import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.FixedShapeTensorType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.SeekableReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads a range of record batches of an in-memory Arrow IPC file. Columns are selected by name;
 * requested columns the file lacks (added by schema evolution) read as nulls.
 */
public final class ArrowIpcBatchReader implements BatchReader {
  private final ArrowFileReader reader;
  private final List<ArrowBlock> blocks;
  private final List<FieldVector> missing = new ArrayList<>();
  private final VectorSchemaRoot view;
  private VectorSchemaRoot fileRoot;
  private int nextBlock;
  private final int endBlock;

  /**
   * @param schema the columns to return, null for all of the file's
   * @param firstBatch index of the first record batch
   * @param batchCount number of batches, -1 for all from {@code firstBatch}
   */
  public ArrowIpcBatchReader(
      byte[] bytes, Schema schema, BufferAllocator allocator, int firstBatch, int batchCount) {
    this(ByteBuffer.wrap(bytes), schema, allocator, firstBatch, batchCount);
  }

  /**
   * Reads from a buffer, heap or direct. Batches of a heap buffer are copied out of it; those of a
   * direct buffer (a memory-mapped file, mapped privately) are loaded without a copy, as slices of
   * its memory that keep it reachable until the vectors are released.
   *
   * @see #ArrowIpcBatchReader(byte[], Schema, BufferAllocator, int, int)
   */
  public ArrowIpcBatchReader(
      ByteBuffer bytes, Schema schema, BufferAllocator allocator, int firstBatch, int batchCount) {
    this(open(bytes, allocator), schema, allocator, firstBatch, batchCount);
  }

  /**
   * Reads a file held in Arrow memory (e.g. a mapping wrapped by {@link MappedFiles}) without
   * copying its batches: the vectors slice the file's buffer, taking references to it.
   *
   * @see #ArrowIpcBatchReader(byte[], Schema, BufferAllocator, int, int)
   */
  public ArrowIpcBatchReader(
      ArrowBuf file, Schema schema, BufferAllocator allocator, int firstBatch, int batchCount) {
    this(new DirectIpcFileReader(file, allocator), schema, allocator, firstBatch, batchCount);
  }

  private static ArrowFileReader open(ByteBuffer bytes, BufferAllocator allocator) {
    if (!bytes.isDirect()) {
      return new ArrowFileReader(
          new SeekableReadChannel(new ByteBufferChannel(bytes)),
          allocator,
          CommonsCompressionFactory.INSTANCE);
    }
    ArrowBuf file = MappedFiles.wrap(allocator, bytes.slice());
    try {
      return new DirectIpcFileReader(file, allocator);
    } finally {
      file.close(); // the reader holds its own reference
    }
  }

  private ArrowIpcBatchReader(
      ArrowFileReader reader,
      Schema schema,
      BufferAllocator allocator,
      int firstBatch,
      int batchCount) {
    FixedShapeTensorType.ensureRegistered();
    this.reader = reader;
    try {
      VectorSchemaRoot fileRoot = reader.getVectorSchemaRoot();
      this.blocks = reader.getRecordBlocks();
      this.fileRoot = fileRoot;
      if (schema == null) {
        this.view = fileRoot;
      } else {
        List<Field> fields = new ArrayList<>();
        List<FieldVector> vectors = new ArrayList<>();
        for (Field field : schema.getFields()) {
          FieldVector vector = fileRoot.getVector(field.getName());
          if (vector == null) {
            vector = field.createVector(allocator);
            missing.add(vector);
          }
          fields.add(vector.getField());
          vectors.add(vector);
        }
        this.view = new VectorSchemaRoot(fields, vectors, 0);
      }
      if (firstBatch < 0 || firstBatch > blocks.size()) {
        throw new IllegalArgumentException(
            "Cannot read record batch " + firstBatch + ": the file has " + blocks.size());
      }
      this.nextBlock = firstBatch;
      this.endBlock =
          batchCount < 0 ? blocks.size() : Math.min(blocks.size(), firstBatch + batchCount);
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("Cannot open an Arrow IPC file: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public boolean next() {
    if (nextBlock >= endBlock) {
      return false;
    }
    try {
      reader.loadRecordBatch(blocks.get(nextBlock++));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read an Arrow IPC record batch: " + e.getMessage(), e);
    }
    int rows = fileRoot.getRowCount();
    for (FieldVector vector : missing) {
      vector.reset();
      vector.setValueCount(rows);
    }
    view.setRowCount(rows);
    return true;
  }

  @Override
  public VectorSchemaRoot root() {
    return view;
  }

  @Override
  public void close() {
    for (FieldVector vector : missing) {
      vector.close();
    }
    try {
      reader.close();
    } catch (IOException ignored) {
      // In-memory input.
    }
  }
}
