package io.mlobj.testcodec;

import io.mlobj.ShardCodec;
import io.mlobj.ShardFormat;
import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.ShardEncoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A shard codec that exists only on test class paths (registered by this module's test resources
 * and shipped to the adapters' tests in its test jar): shards are Arrow IPC <em>streams</em>, a
 * format no production code knows. Spark, Flink, the feed and the CLI write and read it through the
 * codec registry alone, which proves that nothing outside a codec switches on the format.
 */
public final class ArrowStreamTestCodec implements ShardCodec {
  /** The format's id, e.g. {@code option("format", "test-arrow-stream")}. */
  public static final String ID = "test-arrow-stream";

  public static final ShardFormat FORMAT = new ShardFormat(ID, "arrows");

  @Override
  public ShardFormat format() {
    return FORMAT;
  }

  @Override
  public void checkCompression(String compression) {
    if (compression != null && !compression.isBlank() && !compression.equals("none")) {
      throw io.mlobj.MlobjErrors.badOption("compression", compression, "none");
    }
  }

  @Override
  public ShardEncoder newEncoder(
      Schema schema,
      String compression,
      long blockBytes,
      BufferAllocator allocator,
      int initialCapacity) {
    return new Encoder(schema, allocator);
  }

  @Override
  public BatchReader open(
      Source source,
      Schema schema,
      BufferAllocator allocator,
      int firstBlock,
      int blockCount,
      int batchRows) {
    return new Reader(source.array(), schema, allocator, firstBlock, blockCount);
  }

  private static final class Encoder implements ShardEncoder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final VectorSchemaRoot staging;
    private final ArrowStreamWriter writer;
    private final List<Long> batchRows = new ArrayList<>();
    private long rows;

    Encoder(Schema schema, BufferAllocator allocator) {
      staging = VectorSchemaRoot.create(schema, allocator);
      writer = new ArrowStreamWriter(staging, null, out);
      try {
        writer.start();
      } catch (IOException e) {
        staging.close();
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void write(VectorSchemaRoot batch) {
      try (ArrowRecordBatch unloaded = new VectorUnloader(batch).getRecordBatch()) {
        new VectorLoader(staging).load(unloaded);
        writer.writeBatch();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      batchRows.add((long) batch.getRowCount());
      rows += batch.getRowCount();
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
        throw new UncheckedIOException(e);
      }
      return new Encoded(out.toByteArray(), List.copyOf(batchRows));
    }

    @Override
    public void close() {
      writer.close();
      staging.close();
    }
  }

  /** Skips to the first wanted batch, then returns batches with the wanted columns only. */
  private static final class Reader implements BatchReader {
    private final ArrowStreamReader reader;
    private final Schema wanted;
    private final int end;
    private int index;
    private VectorSchemaRoot view;

    Reader(byte[] bytes, Schema wanted, BufferAllocator allocator, int first, int count) {
      io.mlobj.arrow.FixedShapeTensorType.ensureRegistered();
      this.reader = new ArrowStreamReader(new ByteArrayInputStream(bytes), allocator);
      this.wanted = wanted;
      this.end = count < 0 ? Integer.MAX_VALUE : first + count;
      try {
        for (index = 0; index < first; index++) {
          if (!reader.loadNextBatch()) {
            break;
          }
        }
        view = project();
      } catch (IOException e) {
        close();
        throw new UncheckedIOException(e);
      }
    }

    private VectorSchemaRoot project() throws IOException {
      VectorSchemaRoot file = reader.getVectorSchemaRoot();
      if (wanted == null) {
        return file;
      }
      List<FieldVector> vectors = new ArrayList<>();
      List<Field> fields = new ArrayList<>();
      for (Field field : wanted.getFields()) {
        FieldVector vector = file.getVector(field.getName());
        if (vector == null) {
          throw new IOException("column " + field.getName() + " is missing");
        }
        vectors.add(vector);
        fields.add(vector.getField());
      }
      return new VectorSchemaRoot(fields, vectors, file.getRowCount());
    }

    @Override
    public boolean next() {
      try {
        if (index >= end || !reader.loadNextBatch()) {
          return false;
        }
        index++;
        view.setRowCount(reader.getVectorSchemaRoot().getRowCount());
        return true;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public VectorSchemaRoot root() {
      return view;
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
