package io.mlobj.flink.source;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * One Arrow record batch as a self-contained Arrow IPC stream: a plain Flink POJO (no Kryo, no
 * off-heap memory crossing operators), so batches can travel between tasks and live in state. Call
 * {@link #open(BufferAllocator)} to get the vectors back.
 *
 * <pre>{@code
 * DataStream<ArrowBatch> batches = env.fromSource(
 *     MlobjSource.builder(MlobjDeserializer.arrowBatches()).path(uri).build(), noWatermarks(), "mlobj");
 * batches.map(b -> {
 *   try (BufferAllocator a = new RootAllocator(); VectorSchemaRoot root = b.open(a)) {
 *     return root.getRowCount();
 *   }
 * });
 * }</pre>
 */
public class ArrowBatch {
  private byte[] ipc;
  private int rows;

  /** For Flink's POJO serializer. */
  public ArrowBatch() {}

  /** A batch holding these IPC bytes and row count. */
  public ArrowBatch(byte[] ipc, int rows) {
    this.ipc = ipc;
    this.rows = rows;
  }

  /** Copies a batch into IPC bytes. */
  public static ArrowBatch of(VectorSchemaRoot root) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(bytes))) {
      writer.start();
      writer.writeBatch();
      writer.end();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot copy an Arrow batch: " + e.getMessage(), e);
    }
    return new ArrowBatch(bytes.toByteArray(), root.getRowCount());
  }

  /** Decodes the batch; the caller closes the returned root (and its allocator). */
  public VectorSchemaRoot open(BufferAllocator allocator) {
    io.mlobj.arrow.FixedShapeTensorType.ensureRegistered();
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(ipc), allocator)) {
      VectorSchemaRoot root =
          VectorSchemaRoot.create(reader.getVectorSchemaRoot().getSchema(), allocator);
      if (reader.loadNextBatch()) {
        VectorSchemaRoot loaded = reader.getVectorSchemaRoot();
        for (int i = 0; i < loaded.getFieldVectors().size(); i++) {
          loaded.getVector(i).makeTransferPair(root.getVector(i)).transfer();
        }
        root.setRowCount(loaded.getRowCount());
      }
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot decode an Arrow batch: " + e.getMessage(), e);
    }
  }

  public byte[] getIpc() {
    return ipc;
  }

  public void setIpc(byte[] ipc) {
    this.ipc = ipc;
  }

  public int getRows() {
    return rows;
  }

  public void setRows(int rows) {
    this.rows = rows;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ArrowBatch b && rows == b.rows && Arrays.equals(ipc, b.ipc);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ipc) + rows;
  }

  @Override
  public String toString() {
    return "ArrowBatch(" + rows + " rows, " + (ipc == null ? 0 : ipc.length) + " bytes)";
  }
}
