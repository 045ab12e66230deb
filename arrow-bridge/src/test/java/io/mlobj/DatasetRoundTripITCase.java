package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.FixedShapeTensorVector;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatasetRoundTripITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();

  @ParameterizedTest(name = "format = {0}, compression = {1}")
  @CsvSource({
    "parquet,snappy",
    "parquet,zstd",
    "parquet,none",
    "arrow,none",
    "arrow,lz4",
    "arrow,zstd",
    // A codec registered only from the test class path (io.mlobj.testcodec).
    "test-arrow-stream,none"
  })
  void everyTypeRoundTripsThroughS3(String format, String compression) {
    String uri = S3.newDatasetUri();
    Dataset dataset = Dataset.create(uri, S3.conf(), TestData.allTypes(), List.of(), Map.of());
    List<List<Object>> expected = new ArrayList<>();
    try (DatasetWriter writer =
        dataset
            .newWriter(TestData.allTypes())
            .format(ShardFormat.parse(format))
            .compression(compression)
            .build(arrow.allocator())) {
      for (int b = 0; b < 3; b++) {
        try (VectorSchemaRoot batch = TestData.allTypesBatch(arrow.allocator(), b * 100L, 100)) {
          writer.write(batch);
          expected.addAll(TestData.rows(batch));
        }
      }
      dataset.newAppend().addShards(writer.complete()).commit();
    }

    Snapshot latest = Dataset.open(uri, S3.conf()).latest();
    assertThat(latest.version()).isEqualTo(2);
    assertThat(latest.rows()).isEqualTo(300);
    assertThat(latest.schema().findField("tensor").getType())
        .isInstanceOf(FixedShapeTensorType.class);
    List<List<Object>> actual = new ArrayList<>();
    try (BatchReader reader = latest.newScan().build().open(arrow.allocator())) {
      while (reader.next()) {
        actual.addAll(TestData.rows(reader.root()));
      }
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void shardsRollAtTheTargetSizeAndRecordStatistics() {
    String uri = S3.newDatasetUri();
    Dataset dataset = Dataset.create(uri, S3.conf(), TestData.allTypes(), List.of(), Map.of());
    try (DatasetWriter writer =
        dataset
            .newWriter(TestData.allTypes())
            .format(ShardFormat.ARROW)
            .targetShardBytes(20_000)
            .build(arrow.allocator())) {
      for (int b = 0; b < 10; b++) {
        try (VectorSchemaRoot batch = TestData.allTypesBatch(arrow.allocator(), b * 100L, 100)) {
          writer.write(batch);
        }
      }
      dataset.newAppend().addShards(writer.complete()).commit();
    }
    List<Shard> shards = dataset.latest().shards();
    assertThat(shards).hasSizeGreaterThan(2);
    assertThat(shards.stream().mapToLong(Shard::rows).sum()).isEqualTo(1000);
    Shard first = shards.get(0);
    assertThat(first.stats().get("id").min()).isEqualTo(0L);
    assertThat(first.stats().get("label").nullCount()).isGreaterThan(0);
    assertThat(dataset.store().head(first.path()).orElseThrow().userMetadata())
        .containsEntry("mlobj-dataset", dataset.uri());
  }

  @ParameterizedTest(name = "compression = {0}")
  @CsvSource({"none", "snappy", "zstd"})
  void denseTensorsAndLabelsTakeTheBulkCopyPathAndRoundTrip(String compression) {
    Schema schema =
        new Schema(
            List.of(
                Field.notNullable("label", new ArrowType.Int(32, true)),
                Field.notNullable(
                    "weight", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                FixedShapeTensorType.field("x", TestData.FLOAT32, 3, 4, 4)));
    Dataset dataset = Dataset.create(S3.newDatasetUri(), S3.conf(), schema, List.of(), Map.of());
    List<List<Object>> expected = new ArrayList<>();
    try (DatasetWriter writer =
            dataset
                .newWriter(schema)
                .compression(compression)
                .rowGroupBytes(4096)
                .build(arrow.allocator());
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, arrow.allocator())) {
      for (int b = 0; b < 3; b++) {
        root.allocateNew();
        FixedSizeListVector x =
            ((FixedShapeTensorVector) root.getVector("x")).getUnderlyingVector();
        for (int r = 0; r < 500; r++) {
          int id = b * 500 + r;
          ((IntVector) root.getVector("label")).setSafe(r, id % 10);
          ((Float8Vector) root.getVector("weight")).setSafe(r, id / 3.0);
          int base = x.startNewValue(r);
          for (int k = 0; k < 48; k++) {
            ((Float4Vector) x.getDataVector()).setSafe(base + k, id * 100 + k);
          }
        }
        root.setRowCount(500);
        writer.write(root);
        expected.addAll(TestData.rows(root));
      }
      dataset.newAppend().addShards(writer.complete()).commit();
    }
    Shard shard = dataset.latest().shards().get(0);
    assertThat(shard.batchRows()).hasSizeGreaterThan(3); // several row groups
    List<List<Object>> actual = new ArrayList<>();
    try (BatchReader reader =
        dataset.latest().newScan().batchRows(333).build().open(arrow.allocator())) {
      while (reader.next()) {
        actual.addAll(TestData.rows(reader.root()));
      }
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void rowsOfInterleavedPartitionsAreSplitAcrossShardsWithEveryType() {
    Dataset dataset =
        Dataset.create(
            S3.newDatasetUri(), S3.conf(), TestData.allTypes(), List.of("label"), Map.of());
    List<List<Object>> expected = new ArrayList<>();
    try (DatasetWriter writer = dataset.newWriter(TestData.allTypes()).build(arrow.allocator());
        VectorSchemaRoot batch = TestData.allTypesBatch(arrow.allocator(), 0, 200)) {
      writer.write(batch); // labels 0-9 interleave row by row; every 7th row has null label
      expected.addAll(TestData.rows(batch));
      dataset.newAppend().addShards(writer.complete()).commit();
    }
    Snapshot latest = dataset.latest();
    assertThat(latest.shards()).hasSize(11); // ten labels and the null partition
    List<List<Object>> actual = new ArrayList<>();
    try (BatchReader reader = latest.newScan().build().open(arrow.allocator())) {
      while (reader.next()) {
        actual.addAll(TestData.rows(reader.root()));
      }
    }
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    Scan three = latest.newScan().filter(Predicates.eq("label", 3)).filterRows(true).build();
    List<List<Object>> filtered = new ArrayList<>();
    try (BatchReader reader = three.open(arrow.allocator())) {
      while (reader.next()) {
        filtered.addAll(TestData.rows(reader.root()));
      }
    }
    assertThat(three.metrics().shardsSkipped.get()).isEqualTo(10);
    long threes = expected.stream().filter(row -> "3".equals(row.get(1))).count();
    assertThat(threes).isPositive();
    assertThat(filtered).hasSize((int) threes).allMatch(row -> "3".equals(row.get(1)));
  }

  @ParameterizedTest(name = "compression = {0}")
  @CsvSource({"snappy", "none"})
  void theColumnarParquetWriterRoundTripsNullsEmptyListsStringsAndTensors(String compression) {
    List<String> flat =
        TestData.allTypes().getFields().stream()
            .map(Field::getName)
            .filter(n -> !n.equals("meta"))
            .toList();
    Schema schema = new Schema(flat.stream().map(n -> TestData.allTypes().findField(n)).toList());
    assertThat(io.mlobj.internal.arrow.ColumnarParquetEncoder.supports(schema)).isTrue();
    Dataset dataset = Dataset.create(S3.newDatasetUri(), S3.conf(), schema, List.of(), Map.of());
    List<List<Object>> expected = new ArrayList<>();
    try (DatasetWriter writer =
        dataset.newWriter(schema).compression(compression).build(arrow.allocator())) {
      for (int b = 0; b < 2; b++) {
        try (VectorSchemaRoot all = TestData.allTypesBatch(arrow.allocator(), b * 150L, 150)) {
          VectorSchemaRoot batch = new VectorSchemaRoot(flat.stream().map(all::getVector).toList());
          batch.setRowCount(all.getRowCount());
          writer.write(batch);
          expected.addAll(TestData.rows(batch));
        }
      }
      dataset.newAppend().addShards(writer).commit();
    }
    List<List<Object>> actual = new ArrayList<>();
    try (BatchReader reader = dataset.latest().newScan().build().open(arrow.allocator())) {
      while (reader.next()) {
        actual.addAll(TestData.rows(reader.root()));
      }
    }
    assertThat(actual).isEqualTo(expected);
  }
}
