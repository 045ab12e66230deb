package io.mlobj.testcodec;

import io.mlobj.ShardCodec;
import io.mlobj.ShardFormat;
import io.mlobj.arrow.ArrowIpcEncoder;
import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.ShardEncoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
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
    return new ArrowIpcEncoder(
        schema,
        allocator,
        initialCapacity,
        (staging, out) -> new ArrowStreamWriter(staging, null, out),
        "a " + ID + " shard");
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
