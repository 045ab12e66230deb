package io.mlobj.flink;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.Scan;
import io.mlobj.ScanTask;
import io.mlobj.Shard;
import io.mlobj.Snapshot;
import io.mlobj.arrow.BatchReader;
import io.mlobj.flink.sink.ArrowRowSerializer;
import io.mlobj.flink.sink.MlobjSink;
import io.mlobj.flink.source.MlobjDeserializer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.Collector;

/** Datasets of one string column, {@code value}: the simplest shape for connector tests. */
public final class StringRows {
  private StringRows() {}

  public static final Schema SCHEMA =
      new Schema(List.of(Field.nullable("value", new ArrowType.Utf8())));

  /** Reads the {@code value} column as strings. */
  public static final class Deserializer implements MlobjDeserializer<String> {
    @Override
    public void deserialize(VectorSchemaRoot batch, int row, Collector<String> out) {
      VarCharVector values = (VarCharVector) batch.getVector("value");
      out.collect(new String(values.get(row), StandardCharsets.UTF_8));
    }

    @Override
    public TypeInformation<String> getProducedType() {
      return Types.STRING;
    }
  }

  /** Writes strings into the {@code value} column. */
  public static final class Serializer implements ArrowRowSerializer<String> {
    @Override
    public void write(String element, VectorSchemaRoot root, int row) {
      ((VarCharVector) root.getVector("value"))
          .setSafe(row, element.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Commits one version holding one shard with these values. */
  public static Snapshot append(Dataset dataset, List<String> values) {
    return dataset.newAppend().addShards(write(dataset, values)).commit();
  }

  /** Writes (but does not commit) one shard with these values. */
  public static List<Shard> write(Dataset dataset, List<String> values) {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
        DatasetWriter writer = dataset.newWriter(SCHEMA).build(allocator)) {
      root.allocateNew();
      Serializer serializer = new Serializer();
      for (int i = 0; i < values.size(); i++) {
        serializer.write(values.get(i), root, i);
      }
      root.setRowCount(values.size());
      writer.write(root);
      return writer.complete();
    }
  }

  /** Writes (but does not commit) one shard of {@code row-<i>-...} values in small row groups. */
  public static List<Shard> writeInRowGroups(Dataset dataset, int rows) {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
        DatasetWriter writer = dataset.newWriter(SCHEMA).rowGroupBytes(1024).build(allocator)) {
      for (int first = 0; first < rows; first += 100) {
        root.allocateNew();
        int n = Math.min(100, rows - first);
        for (int i = 0; i < n; i++) {
          ((VarCharVector) root.getVector("value"))
              .setSafe(i, ("row-" + (first + i) + "-padding").getBytes(StandardCharsets.UTF_8));
        }
        root.setRowCount(n);
        writer.write(root);
      }
      return writer.complete();
    }
  }

  /** Every value of the latest version, read with the kernel. */
  public static List<String> readAll(Dataset dataset) {
    return readShards(dataset.latest(), Set.of());
  }

  /** The values of the snapshot's shards whose paths are not in {@code skip}. */
  public static List<String> readShards(Snapshot snapshot, Set<String> skip) {
    List<String> out = new ArrayList<>();
    Scan scan = snapshot.newScan().build();
    try (BufferAllocator allocator = new RootAllocator()) {
      for (Shard shard : snapshot.shards()) {
        if (skip.contains(shard.path())) {
          continue;
        }
        try (BatchReader reader = scan.openTask(ScanTask.whole(shard), allocator)) {
          while (reader.next()) {
            VarCharVector values = (VarCharVector) reader.root().getVector("value");
            for (int i = 0; i < reader.root().getRowCount(); i++) {
              out.add(new String(values.get(i), StandardCharsets.UTF_8));
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * {@code min} to {@code 2 * min - 1} distinct values {@code <prefix><i>-<random hex>}, the same
   * for the same seed: test data for the Flink testframe's contexts.
   */
  public static List<String> random(String prefix, int min, long seed) {
    java.util.Random random = new java.util.Random(seed);
    List<String> out = new ArrayList<>();
    int count = min + random.nextInt(min);
    for (int i = 0; i < count; i++) {
      out.add(prefix + i + "-" + Long.toHexString(random.nextLong()));
    }
    return out;
  }

  /** A sink of these rows to the dataset at {@code uri}, as {@code sinkId}. */
  public static MlobjSink<String> sink(
      String uri, java.util.Map<String, String> conf, String sinkId) {
    return MlobjSink.<String>builder()
        .path(uri)
        .conf(conf)
        .schema(SCHEMA)
        .serializer(new Serializer())
        .sinkId(sinkId)
        .build();
  }
}
