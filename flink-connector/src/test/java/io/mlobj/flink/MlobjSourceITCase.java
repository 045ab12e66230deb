package io.mlobj.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.Predicates;
import io.mlobj.flink.source.ArrowBatch;
import io.mlobj.flink.source.MlobjDeserializer;
import io.mlobj.flink.source.MlobjSource;
import io.mlobj.testing.EmbeddedS3Extension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bounded reads: shard skipping by statistics, time travel by tag, Arrow batch output. */
class MlobjSourceITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

  private static <T> List<T> readAll(Source<T, ?, ?> source, int parallelism) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    List<T> out = new ArrayList<>();
    try (CloseableIterator<T> it =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "mlobj").executeAndCollect()) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  private static Dataset newDataset() {
    return Dataset.create(S3.newDatasetUri(), S3.conf(), StringRows.SCHEMA, List.of(), Map.of());
  }

  @Test
  void filterSkipsWholeShardsByStatisticsButLeavesRowsToTheEngine() throws Exception {
    Dataset dataset = newDataset();
    StringRows.append(dataset, List.of("a1", "a2")); // max "a2" < "m": skipped
    StringRows.append(dataset, List.of("b-late", "n1")); // max "n1" >= "m": read whole

    MlobjSource<String> source =
        MlobjSource.builder(new StringRows.Deserializer())
            .path(dataset.uri())
            .conf(S3.conf())
            .filter(Predicates.ge("value", "m"))
            .build();

    assertThat(readAll(source, 2)).containsExactlyInAnyOrder("b-late", "n1");
  }

  @Test
  void largeShardSplitByRowGroupsIsReadCompletelyByParallelReaders() throws Exception {
    Dataset dataset = newDataset();
    dataset.newAppend().addShards(StringRows.writeInRowGroups(dataset, 2000)).commit();

    MlobjSource<String> source =
        MlobjSource.builder(new StringRows.Deserializer())
            .path(dataset.uri())
            .conf(S3.conf())
            .targetSplitRows(400)
            .build();

    List<String> rows = readAll(source, 2);
    assertThat(rows)
        .hasSize(2000)
        .doesNotHaveDuplicates()
        .contains("row-0-padding", "row-1999-padding");
  }

  @Test
  void tagReadsTheTaggedVersionOnly() throws Exception {
    Dataset dataset = newDataset();
    long tagged = StringRows.append(dataset, List.of("v2-a", "v2-b")).version();
    dataset.tag("reviewed", tagged, Map.of());
    StringRows.append(dataset, List.of("v3"));

    MlobjSource<String> source =
        MlobjSource.builder(new StringRows.Deserializer())
            .path(dataset.uri())
            .conf(S3.conf())
            .tag("reviewed")
            .build();

    assertThat(readAll(source, 1)).containsExactlyInAnyOrder("v2-a", "v2-b");
  }

  @Test
  void arrowBatchesCarryTheRowsOfEachShardThroughFlink() throws Exception {
    Dataset dataset = newDataset();
    StringRows.append(dataset, List.of("x1", "x2", "x3"));
    StringRows.append(dataset, List.of("y1"));

    MlobjSource<ArrowBatch> source =
        MlobjSource.builder(MlobjDeserializer.arrowBatches())
            .path(dataset.uri())
            .conf(S3.conf())
            .batchRows(2)
            .build();

    List<String> values = new ArrayList<>();
    List<ArrowBatch> batches = readAll(source, 2);
    try (BufferAllocator allocator = new RootAllocator()) {
      for (ArrowBatch batch : batches) {
        try (VectorSchemaRoot root = batch.open(allocator)) {
          assertThat(root.getRowCount()).isEqualTo(batch.getRows()).isBetween(1, 2);
          VarCharVector column = (VarCharVector) root.getVector("value");
          for (int i = 0; i < root.getRowCount(); i++) {
            values.add(new String(column.get(i), StandardCharsets.UTF_8));
          }
        }
      }
    }
    assertThat(values).containsExactlyInAnyOrder("x1", "x2", "x3", "y1");
  }
}
