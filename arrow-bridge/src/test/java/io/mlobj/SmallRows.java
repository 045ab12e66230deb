package io.mlobj;

import io.mlobj.arrow.BatchReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** A two-column schema (id, writer) for tests that commit often and check every row by id. */
public final class SmallRows {
  private SmallRows() {}

  /** {@code id BIGINT NOT NULL, writer INT}. */
  public static Schema schema() {
    return new Schema(
        List.of(
            Field.notNullable("id", new ArrowType.Int(64, true)),
            Field.nullable("writer", new ArrowType.Int(32, true))));
  }

  /** Creates a dataset of this schema. */
  public static Dataset create(String uri, Map<String, String> conf) {
    return Dataset.create(uri, conf, schema(), List.of(), Map.of());
  }

  /** Writes rows {@code firstId .. firstId+rows-1} as one shard and commits them as an append. */
  public static Snapshot append(
      Dataset dataset,
      BufferAllocator allocator,
      ShardFormat format,
      int writer,
      long firstId,
      int rows) {
    return dataset
        .newAppend()
        .addShards(write(dataset, allocator, format, writer, firstId, rows))
        .commit();
  }

  /** Writes rows as shards without committing them. */
  public static List<Shard> write(
      Dataset dataset,
      BufferAllocator allocator,
      ShardFormat format,
      int writer,
      long firstId,
      int rows) {
    try (DatasetWriter out = dataset.newWriter(schema()).format(format).build(allocator);
        VectorSchemaRoot batch = batch(allocator, writer, firstId, rows)) {
      out.write(batch);
      return out.complete();
    }
  }

  /** A batch of rows {@code firstId ..}. */
  public static VectorSchemaRoot batch(
      BufferAllocator allocator, int writer, long firstId, int rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(schema(), allocator);
    root.allocateNew();
    BigIntVector ids = (BigIntVector) root.getVector("id");
    IntVector writers = (IntVector) root.getVector("writer");
    for (int i = 0; i < rows; i++) {
      ids.setSafe(i, firstId + i);
      writers.setSafe(i, writer);
    }
    root.setRowCount(rows);
    return root;
  }

  /** Every id of a snapshot, in read order. */
  public static List<Long> ids(Snapshot snapshot, BufferAllocator allocator) {
    List<Long> out = new ArrayList<>();
    try (BatchReader reader = snapshot.newScan().select("id").build().open(allocator)) {
      while (reader.next()) {
        BigIntVector ids = (BigIntVector) reader.root().getVector("id");
        for (int i = 0; i < reader.root().getRowCount(); i++) {
          out.add(ids.get(i));
        }
      }
    }
    return out;
  }
}
