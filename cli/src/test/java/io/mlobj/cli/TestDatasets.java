package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.Shard;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** Small datasets for CLI tests: one int64 column. */
final class TestDatasets {
  static final Schema SCHEMA =
      new Schema(List.of(Field.notNullable("id", new ArrowType.Int(64, true))));

  private TestDatasets() {}

  /** Creates a dataset (version 1) and appends one shard of {@code rows} rows per entry. */
  static Dataset create(String uri, Map<String, String> conf, int... appends) {
    Dataset dataset = Dataset.create(uri, conf, SCHEMA, List.of(), Map.of());
    long next = 0;
    for (int rows : appends) {
      append(dataset, next, rows, Map.of());
      next += rows;
    }
    return dataset;
  }

  /** Appends one shard with ids from {@code first}, with summary key/values. */
  static void append(Dataset dataset, long first, int rows, Map<String, String> summary) {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
      BigIntVector id = (BigIntVector) root.getVector("id");
      id.allocateNew(rows);
      for (int i = 0; i < rows; i++) {
        id.set(i, first + i);
      }
      root.setRowCount(rows);
      List<Shard> shards;
      try (DatasetWriter writer = dataset.newWriter(SCHEMA).build(allocator)) {
        writer.write(root);
        shards = writer.complete();
      }
      dataset.newAppend().addShards(shards).summary(summary).commit();
    }
  }
}
