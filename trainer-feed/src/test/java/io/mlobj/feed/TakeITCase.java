package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.Dataset;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.testing.EmbeddedS3Extension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code take} reads only what the samples asked for: the rows' bytes of Arrow IPC shards (once the
 * footer and record batch metadata are known), the footer and the wanted columns of the row groups
 * holding the samples of Parquet shards, whole record batches otherwise.
 */
class TakeITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static final int ROWS = 64;

  @ParameterizedTest
  @EnumSource(Formats.class)
  void takeReadsByRangeOnlyTheFootersAndTheBlocksOfTheSamplesAsked(Formats format)
      throws Exception {
    String uri = S3.newDatasetUri();
    try (BufferAllocator allocator = new RootAllocator()) {
      // 2 shards of 8 record batches x 64 samples of uint8 [3, 32, 32], ~1.6 MB each (Parquet:
      // the test data's 1 KiB row-group target cuts a row group per sample).
      FeedTestData.create(uri, S3.conf(), allocator, format.format, 2, 8, ROWS, 32, 32);
      long shardBytes =
          Dataset.open(uri, S3.conf()).latest().shards().stream().mapToLong(Shard::bytes).sum();
      try (FeedServer server = FeedServer.builder().conf(S3.conf()).build().start();
          TestClient client = new TestClient(allocator, server.port(), null)) {
        ObjectNode take = FeedRequest.json(uri).put("batch_size", 4);
        take.putArray("take").add(1000).add(3).add(700).add(5);
        List<Long> ids = new ArrayList<>();
        List<Integer> pixels = new ArrayList<>();
        client.stream(take, root -> FeedTestData.collectPixels(root, 2, 31, 7, ids, pixels));
        assertThat(ids).containsExactly(1000L, 3L, 700L, 5L);
        assertThat(pixels)
            .containsExactly(
                FeedTestData.pixel(1000, 2, 31, 7),
                FeedTestData.pixel(3, 2, 31, 7),
                FeedTestData.pixel(700, 2, 31, 7),
                FeedTestData.pixel(5, 2, 31, 7));
        // By range, no shard fetched whole. Arrow IPC: footers, batch headers and row slices.
        // Parquet: each shard's footer once (~20% of these shards: 512 row groups' metadata) and
        // the 4 samples' row groups.
        long limit = format == Formats.ARROW ? shardBytes / 4 : shardBytes / 2;
        assertThat(server.metrics().storageBytes.get()).isPositive().isLessThan(limit);
        assertThat(server.metrics().shardFetches.get()).isZero();
      }
    }
  }

  @Test
  void aWarmTakeReadsExactlyTheImageBytesOfItsSamples() throws Exception {
    String uri = S3.newDatasetUri();
    try (BufferAllocator allocator = new RootAllocator()) {
      FeedTestData.create(uri, S3.conf(), allocator, ShardFormat.ARROW, 2, 8, ROWS, 32, 32);
      try (FeedServer server = FeedServer.builder().conf(S3.conf()).build().start();
          TestClient client = new TestClient(allocator, server.port(), null)) {
        // One sample of each of the 16 record batches: reads every footer and batch header, and
        // keeps the narrow columns (ids, labels, names, token lists) of every batch.
        ObjectNode all = FeedRequest.json(uri);
        ArrayNode first = all.putArray("take");
        for (int b = 0; b < 16; b++) {
          first.add(b * ROWS + 1);
        }
        List<Long> ids = new ArrayList<>();
        client.stream(all, root -> ids.addAll(idsOf(root)));
        assertThat(ids).hasSize(16);
        long before = server.metrics().storageBytes.get();

        // Samples of four different batches: now only their image rows are read.
        ObjectNode take = FeedRequest.json(uri);
        take.putArray("take").add(1000).add(3).add(700).add(300);
        List<Long> got = new ArrayList<>();
        List<Integer> pixels = new ArrayList<>();
        client.stream(take, root -> FeedTestData.collectPixels(root, 1, 17, 3, got, pixels));
        assertThat(got).containsExactly(1000L, 3L, 700L, 300L);
        assertThat(pixels)
            .containsExactly(
                FeedTestData.pixel(1000, 1, 17, 3),
                FeedTestData.pixel(3, 1, 17, 3),
                FeedTestData.pixel(700, 1, 17, 3),
                FeedTestData.pixel(300, 1, 17, 3));
        assertThat(server.metrics().storageBytes.get() - before).isEqualTo(4L * 3 * 32 * 32);
      }
    }
  }

  @ParameterizedTest(name = "format = {0}")
  @EnumSource(names = {"ARROW", "PARQUET"})
  void takeReturnsEveryColumnOfTheSamplesAskedAcrossBatchesAndShardsTwice(Formats format)
      throws Exception {
    String uri = S3.newDatasetUri();
    try (BufferAllocator allocator = new RootAllocator()) {
      long rows = FeedTestData.create(uri, S3.conf(), allocator, format.format, 3, 4, ROWS, 8, 8);
      // Batch edges, shard edges, repeats, descending order; then the same again, from what the
      // server kept of the first.
      long[] samples = {0, ROWS - 1, ROWS, 4 * ROWS - 1, 4 * ROWS, rows - 1, 517, 3, 517, 130};
      try (FeedServer server = FeedServer.builder().conf(S3.conf()).build().start();
          TestClient client = new TestClient(allocator, server.port(), null)) {
        for (int pass = 0; pass < 2; pass++) {
          ObjectNode take = FeedRequest.json(uri).put("batch_size", 3);
          ArrayNode list = take.putArray("take");
          for (long s : samples) {
            list.add(s);
          }
          List<Long> ids = new ArrayList<>();
          List<Integer> pixels = new ArrayList<>();
          List<String> rest = new ArrayList<>();
          client.stream(
              take,
              root -> {
                FeedTestData.collectPixels(root, 2, 7, 5, ids, pixels);
                for (int i = 0; i < root.getRowCount(); i++) {
                  rest.add(
                      ((IntVector) root.getVector("label")).get(i)
                          + "|"
                          + root.getVector("name").getObject(i)
                          + "|"
                          + root.getVector("tokens").getObject(i)
                          + "|"
                          + root.getVector("split").getObject(i));
                }
              });
          List<Long> expectedIds = new ArrayList<>();
          List<Integer> expectedPixels = new ArrayList<>();
          List<String> expectedRest = new ArrayList<>();
          for (long id : samples) {
            expectedIds.add(id);
            expectedPixels.add(FeedTestData.pixel(id, 2, 7, 5));
            List<Integer> tokens = new ArrayList<>();
            for (int t = 0; t < id % 5; t++) {
              tokens.add((int) id * 10 + t);
            }
            expectedRest.add(
                (id % 10)
                    + "|s"
                    + id
                    + "|"
                    + tokens.toString().replace(", ", ",")
                    + "|"
                    + (id % 4 == 0 ? "test" : "train"));
          }
          assertThat(ids).as("pass %d", pass).containsExactlyElementsOf(expectedIds);
          assertThat(pixels).as("pass %d", pass).containsExactlyElementsOf(expectedPixels);
          assertThat(rest).as("pass %d", pass).containsExactlyElementsOf(expectedRest);
        }
      }
    }
  }

  @Test
  void takeKeepsNullsEmptyValuesAndNestedColumnsOfEachRow() throws Exception {
    String uri = S3.newDatasetUri();
    Schema schema =
        new Schema(
            List.of(
                Field.notNullable("id", new ArrowType.Int(64, true)),
                Field.nullable("maybe", new ArrowType.Int(32, true)),
                Field.nullable("text", new ArrowType.Utf8()),
                new Field(
                    "list",
                    FieldType.nullable(new ArrowType.List()),
                    List.of(Field.nullable("item", new ArrowType.Int(32, true)))),
                new Field(
                    "pair",
                    FieldType.nullable(ArrowType.Struct.INSTANCE),
                    List.of(
                        Field.nullable("a", new ArrowType.Int(32, true)),
                        Field.nullable("b", new ArrowType.Utf8())))));
    int rows = 40;
    try (BufferAllocator allocator = new RootAllocator()) {
      Dataset dataset = Dataset.create(uri, S3.conf(), schema, List.of(), Map.of());
      List<Shard> shards = new ArrayList<>();
      try (var writer = dataset.newWriter(schema).format(ShardFormat.ARROW).build(allocator);
          VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
        for (int batch = 0; batch < 2; batch++) {
          root.allocateNew();
          for (int r = 0; r < rows; r++) {
            int id = batch * rows + r;
            ((BigIntVector) root.getVector("id")).setSafe(r, id);
            if (id % 3 != 0) {
              ((IntVector) root.getVector("maybe")).setSafe(r, id * 2);
            }
            if (id % 4 != 1) {
              ((VarCharVector) root.getVector("text"))
                  .setSafe(r, "t".repeat(id % 4).getBytes(StandardCharsets.UTF_8));
            }
            ListVector list = (ListVector) root.getVector("list");
            if (id % 5 != 2) {
              int at = list.startNewValue(r);
              for (int k = 0; k < id % 3; k++) {
                ((IntVector) list.getDataVector()).setSafe(at + k, id + k);
              }
              list.endValue(r, id % 3);
            }
            StructVector pair = (StructVector) root.getVector("pair");
            if (id % 7 != 3) {
              pair.setIndexDefined(r);
              ((IntVector) pair.getChild("a")).setSafe(r, -id);
              if (id % 2 == 0) {
                ((VarCharVector) pair.getChild("b"))
                    .setSafe(r, ("b" + id).getBytes(StandardCharsets.UTF_8));
              }
            }
          }
          root.setRowCount(rows);
          writer.write(root);
        }
        shards.addAll(writer.complete());
      }
      dataset.newAppend().addShards(shards).commit();
      long[] samples = {0, 1, 2, 3, 9, 10, 17, 38, 39, 40, 41, 52, 79};
      try (FeedServer server = FeedServer.builder().conf(S3.conf()).build().start();
          TestClient client = new TestClient(allocator, server.port(), null)) {
        for (int pass = 0; pass < 2; pass++) {
          ObjectNode take = FeedRequest.json(uri);
          ArrayNode list = take.putArray("take");
          for (long s : samples) {
            list.add(s);
          }
          List<String> got = new ArrayList<>();
          client.stream(
              take,
              root -> {
                for (int i = 0; i < root.getRowCount(); i++) {
                  StringBuilder row = new StringBuilder();
                  for (var v : root.getFieldVectors()) {
                    row.append(v.getObject(i)).append(';');
                  }
                  got.add(row.toString());
                }
              });
          List<String> expected = new ArrayList<>();
          for (long id : samples) {
            List<Integer> items = new ArrayList<>();
            for (int k = 0; k < id % 3; k++) {
              items.add((int) id + k);
            }
            String pair =
                id % 7 == 3
                    ? "null"
                    : id % 2 == 0
                        ? "{\"a\":" + -id + ",\"b\":\"b" + id + "\"}"
                        : "{\"a\":" + -id + "}";
            expected.add(
                id
                    + ";"
                    + (id % 3 == 0 ? "null" : String.valueOf(id * 2))
                    + ";"
                    + (id % 4 == 1 ? "null" : "t".repeat((int) (id % 4)))
                    + ";"
                    + (id % 5 == 2 ? "null" : items.toString().replace(", ", ","))
                    + ";"
                    + pair
                    + ";");
          }
          assertThat(got).as("pass %d", pass).containsExactlyElementsOf(expected);
        }
      }
    }
  }

  private static List<Long> idsOf(VectorSchemaRoot root) {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < root.getRowCount(); i++) {
      ids.add(((BigIntVector) root.getVector("id")).get(i));
    }
    return ids;
  }

  /** The shard formats, by name for the test's display name. */
  enum Formats {
    ARROW(ShardFormat.ARROW),
    PARQUET(ShardFormat.PARQUET);

    final ShardFormat format;

    Formats(ShardFormat format) {
      this.format = format;
    }
  }
}
