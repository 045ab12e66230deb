package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatasetRoundTripITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    allocator.close(); // fails the test on leaked buffers
  }

  @ParameterizedTest(name = "format = {0}, compression = {1}")
  @CsvSource({
    "parquet,snappy",
    "parquet,zstd",
    "parquet,none",
    "arrow,none",
    "arrow,lz4",
    "arrow,zstd"
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
            .build(allocator)) {
      for (int b = 0; b < 3; b++) {
        try (VectorSchemaRoot batch = TestData.allTypesBatch(allocator, b * 100L, 100)) {
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
    try (BatchReader reader = latest.newScan().build().open(allocator)) {
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
            .build(allocator)) {
      for (int b = 0; b < 10; b++) {
        try (VectorSchemaRoot batch = TestData.allTypesBatch(allocator, b * 100L, 100)) {
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
}
