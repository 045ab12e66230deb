package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.ShardFormat;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.registry.Checkpoint;
import io.mlobj.registry.CheckpointRegistry;
import io.mlobj.testcodec.ArrowStreamTestCodec;
import io.mlobj.testing.EmbeddedS3Extension;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A real feed server over a dataset in the embedded S3 server, read through a real Flight client.
 * The dataset has 2 shards of 4 record batches of 30 rows (240 samples): fewer shards than most of
 * the consumer counts below, so shards are split by record batch.
 */
class FeedServerITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  static final String TOKEN = "t0k3n-for-tests";
  static final int ROWS = 240;
  static BufferAllocator allocator;
  static String uri;
  static String checkpointRoot;
  static FeedServer server;
  static TestClient client;

  @BeforeAll
  static void setUp() {
    allocator = new RootAllocator();
    uri = S3.newDatasetUri();
    assertThat(FeedTestData.create(uri, S3.conf(), allocator, ShardFormat.ARROW, 2, 4, 30, 4, 4))
        .isEqualTo(ROWS);
    checkpointRoot = S3.newDatasetUri();
    server =
        FeedServer.builder()
            .conf(S3.conf())
            .token(TOKEN)
            .checkpointRoot(checkpointRoot)
            .transform("add", spec -> new AddTransform(spec.path("value").asInt()))
            .prepareThreads(3)
            .build()
            .start();
    client = new TestClient(allocator, server.port(), TOKEN);
  }

  @AfterAll
  static void tearDown() throws Exception {
    client.close();
    server.close();
    allocator.close();
  }

  static ObjectNode request() {
    return FeedRequest.json(uri)
        .put("batch_size", 10)
        .put("seed", 7)
        .put("epoch", 0)
        .put("shuffle_buffer", 50);
  }

  static ObjectNode consumer(int rank, int worldSize, int worker, int numWorkers) {
    return request()
        .put("rank", rank)
        .put("world_size", worldSize)
        .put("worker", worker)
        .put("num_workers", numWorkers);
  }

  static List<Long> all() {
    return LongStream.range(0, ROWS).boxed().toList();
  }

  @ParameterizedTest(name = "world_size = {0}, num_workers = {1}")
  @CsvSource({"1,1", "2,1", "2,3", "4,2", "3,4"})
  void consumersGetDisjointNonEmptyEqualPartsThatCoverEverySample(int worldSize, int workers) {
    List<Long> union = new ArrayList<>();
    Set<Integer> sizes = new HashSet<>();
    for (int rank = 0; rank < worldSize; rank++) {
      for (int worker = 0; worker < workers; worker++) {
        List<Long> part = client.ids(consumer(rank, worldSize, worker, workers));
        assertThat(part).isNotEmpty();
        sizes.add(part.size());
        union.addAll(part);
      }
    }
    assertThat(sizes).hasSize(1);
    assertThat(union).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all());
  }

  @Test
  void aDatasetOfAShardFormatFromACodecOnTheClassPathIsServedWhole() {
    String streamUri = S3.newDatasetUri();
    long rows =
        FeedTestData.create(
            streamUri, S3.conf(), allocator, ArrowStreamTestCodec.FORMAT, 2, 2, 15, 4, 4);
    List<Long> ids =
        client.ids(
            FeedRequest.json(streamUri)
                .put("batch_size", 10)
                .put("seed", 7)
                .put("epoch", 0)
                .put("shuffle_buffer", 50));
    assertThat(ids).containsExactlyInAnyOrderElementsOf(LongStream.range(0, rows).boxed().toList());
  }

  @Test
  void everyEpochIsReshuffledAndEachIsReproducible() {
    List<Long> epoch0 = client.ids(request().put("epoch", 0));
    List<Long> epoch0Again = client.ids(request().put("epoch", 0));
    List<Long> epoch1 = client.ids(request().put("epoch", 1));
    assertThat(epoch0).isEqualTo(epoch0Again).containsExactlyInAnyOrderElementsOf(all());
    assertThat(epoch1).containsExactlyInAnyOrderElementsOf(all()).isNotEqualTo(epoch0);
    assertThat(epoch0).isNotEqualTo(all());
  }

  @Test
  void theGlobalOrderDoesNotDependOnTheNumberOfRanksOrWorkers() {
    List<Long> single = client.ids(request());
    int worldSize = 2;
    int workers = 3;
    List<List<List<Long>>> parts = new ArrayList<>();
    for (int rank = 0; rank < worldSize; rank++) {
      for (int worker = 0; worker < workers; worker++) {
        parts.add(client.idBatches(consumer(rank, worldSize, worker, workers)));
      }
    }
    // Global batch g went to rank g % W; the rank's batch j = g / W to worker j % K.
    List<Long> rebuilt = new ArrayList<>();
    for (int g = 0; g < ROWS / 10; g++) {
      int rank = g % worldSize;
      int j = g / worldSize;
      rebuilt.addAll(parts.get(rank * workers + j % workers).get(j / workers));
    }
    assertThat(rebuilt).isEqualTo(single);
  }

  @Test
  void resumingMidEpochOnAnotherWorldSizeNeitherRepeatsNorSkips() {
    // Two ranks consume 3 batches each in lockstep, then the job restarts with three ranks.
    List<Long> consumed = new ArrayList<>();
    for (int rank = 0; rank < 2; rank++) {
      consumed.addAll(
          client.idBatches(consumer(rank, 2, 0, 1)).subList(0, 3).stream()
              .flatMap(List::stream)
              .toList());
    }
    long position = 3 * 10 * 2;
    List<Long> resumed = new ArrayList<>();
    for (int rank = 0; rank < 3; rank++) {
      resumed.addAll(client.ids(consumer(rank, 3, 0, 1).put("position", position)));
    }
    assertThat(consumed).hasSize(60);
    assertThat(resumed).hasSize(ROWS - 60).doesNotContainAnyElementsOf(consumed);
    List<Long> union = new ArrayList<>(consumed);
    union.addAll(resumed);
    assertThat(union).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all());
    // And the resumed part is exactly the rest of the one global order.
    assertThat(new HashSet<>(resumed))
        .isEqualTo(new HashSet<>(client.ids(request()).subList(60, ROWS)));
  }

  @Test
  void checkpointPutOnAServerWithoutRegistryNamesTheServeFlag() throws Exception {
    try (FeedServer bare = FeedServer.builder().conf(S3.conf()).build().start();
        TestClient other = new TestClient(allocator, bare.port(), null)) {
      assertThatThrownBy(() -> other.action("checkpoint.put", checkpointBody("cnn", "model")))
          .hasMessageContaining("Cannot store the checkpoint: this feed server has no checkpoint")
          .hasMessageContaining("mlobj serve --registry s3a://bucket/registry");
    }
  }

  @Test
  void twoServersServingRanksZeroOneAndTwoThreeOfOneJobCoverEverySampleOnce() throws Exception {
    try (FeedServer second = FeedServer.builder().conf(S3.conf()).build().start();
        TestClient other = new TestClient(allocator, second.port(), null)) {
      List<Long> union = new ArrayList<>();
      for (int rank = 0; rank < 4; rank++) {
        TestClient local = rank < 2 ? client : other;
        for (int worker = 0; worker < 2; worker++) {
          union.addAll(local.ids(consumer(rank, 4, worker, 2)));
        }
      }
      assertThat(union).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all());
    }
  }

  @Test
  void takeReturnsTheSamplesAtGlobalIndexesInTheOrderAsked() {
    ObjectNode take = FeedRequest.json(uri).put("batch_size", 3);
    take.putArray("take").add(5).add(199).add(0).add(77).add(120);
    List<Long> ids = new ArrayList<>();
    List<Integer> pixels = new ArrayList<>();
    client.stream(take, root -> FeedTestData.collectPixels(root, 1, 2, 3, ids, pixels));
    assertThat(ids).containsExactly(5L, 199L, 0L, 77L, 120L);
    assertThat(pixels)
        .containsExactly(
            FeedTestData.pixel(5, 1, 2, 3),
            FeedTestData.pixel(199, 1, 2, 3),
            FeedTestData.pixel(0, 1, 2, 3),
            FeedTestData.pixel(77, 1, 2, 3),
            FeedTestData.pixel(120, 1, 2, 3));
  }

  @Test
  void aPredicateSelectsRowsAndThePartsStillCoverEveryMatchOnce() throws Exception {
    ObjectNode base = request().put("batch_size", 9);
    base.set(
        "predicate",
        TestClient.JSON.readTree("{\"op\":\"eq\",\"column\":\"split\",\"value\":\"train\"}"));
    List<Long> union = new ArrayList<>();
    for (int rank = 0; rank < 2; rank++) {
      union.addAll(client.ids(base.deepCopy().put("rank", rank).put("world_size", 2)));
    }
    List<Long> expected = all().stream().filter(id -> id % 4 != 0).toList(); // 180 = 2 * 10 * 9
    assertThat(union).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void thePipelineRunsOnTheServerAndTheClientReceivesTensors() throws Exception {
    ObjectNode req = request().put("shuffle", false);
    req.putArray("columns").add("id").add("image").add("label");
    req.set(
        "pipeline",
        TestClient.JSON.readTree(
            "[{\"op\":\"cast\",\"column\":\"image\",\"to\":\"float32\",\"scale\":0.5},"
                + "{\"op\":\"normalize\",\"column\":\"image\",\"mean\":[1,2,3],\"std\":[2]},"
                + "{\"op\":\"add\",\"column\":\"label\",\"value\":100},"
                + "{\"op\":\"one_hot\",\"column\":\"label\",\"classes\":110}]"));
    List<float[]> checks = new ArrayList<>();
    client.stream(
        req,
        root -> {
          FieldVector image = root.getVector("image");
          assertThat(image.getField().getType()).isInstanceOf(FixedShapeTensorType.class);
          FixedShapeTensorType type = FixedShapeTensorType.of(image.getField());
          assertThat(type.shape()).containsExactly(3, 4, 4);
          var values =
              (org.apache.arrow.vector.Float4Vector)
                  ((FixedSizeListVector) ((ExtensionTypeVector<?>) image).getUnderlyingVector())
                      .getDataVector();
          var labels =
              (org.apache.arrow.vector.Float4Vector)
                  ((FixedSizeListVector)
                          ((ExtensionTypeVector<?>) root.getVector("label")).getUnderlyingVector())
                      .getDataVector();
          BigIntVector id = (BigIntVector) root.getVector("id");
          for (int i = 0; i < root.getRowCount(); i++) {
            long sample = id.get(i);
            // channel 2, y 1, x 0
            float expected = (FeedTestData.pixel(sample, 2, 1, 0) * 0.5f - 3f) / 2f;
            checks.add(new float[] {values.get(i * 48 + 32 + 4), expected});
            int hot = (int) (sample % 10) + 100;
            checks.add(new float[] {labels.get(i * 110 + hot), 1f});
          }
        });
    assertThat(checks).hasSize(2 * ROWS);
    for (float[] c : checks) {
      assertThat(c[0]).isCloseTo(c[1], org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void badRequestsGetClearStatusesAndTheServerKeepsServing() {
    assertStatus(
        FeedRequest.json(S3.newDatasetUri()), FlightStatusCode.NOT_FOUND, "no mlobj dataset");
    assertStatus(
        consumer(2, 2, 0, 1), FlightStatusCode.INVALID_ARGUMENT, "a rank below world_size (2)");
    ObjectNode unknownTransform = request();
    unknownTransform.putArray("pipeline").addObject().put("op", "sharpen").put("column", "image");
    assertStatus(
        unknownTransform, FlightStatusCode.INVALID_ARGUMENT, "unknown transform 'sharpen'");
    ObjectNode wrongColumn = request();
    wrongColumn.putArray("columns").add("id").add("pixels");
    assertStatus(wrongColumn, FlightStatusCode.INVALID_ARGUMENT, "Cannot select column 'pixels'");
    ObjectNode wrongType = request();
    ObjectNode step =
        wrongType.putArray("pipeline").addObject().put("op", "normalize").put("column", "label");
    step.putArray("mean").add(0);
    step.putArray("std").add(1);
    assertStatus(wrongType, FlightStatusCode.INVALID_ARGUMENT, "needs a float32 tensor");
    assertStatus(
        request().put("shuffle_buffer", 0), FlightStatusCode.INVALID_ARGUMENT, "shuffle_buffer");
    assertStatus(
        request().put("typo", 1), FlightStatusCode.INVALID_ARGUMENT, "'typo': it is not an option");
    assertStatus(request().put("version", 99), FlightStatusCode.NOT_FOUND, "version 99");
    // Still serving.
    assertThat(client.ids(request())).hasSize(ROWS);
  }

  @Test
  void callsWithoutTheRightTokenAreRefused() throws Exception {
    try (TestClient anonymous = new TestClient(allocator, server.port(), null);
        TestClient wrong = new TestClient(allocator, server.port(), "guess")) {
      for (TestClient c : List.of(anonymous, wrong)) {
        assertThatThrownBy(() -> c.ids(request()))
            .isInstanceOfSatisfying(
                FlightRuntimeException.class,
                e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED));
        assertThatThrownBy(() -> c.action("metrics", new byte[0]))
            .isInstanceOfSatisfying(
                FlightRuntimeException.class,
                e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED));
      }
    }
  }

  @Test
  void theMetricsActionReportsThroughputAndWhereTimeWent() {
    client.ids(request());
    JsonNode metrics = client.action("metrics", new byte[0]);
    assertThat(metrics.get("samples").asLong()).isGreaterThanOrEqualTo(ROWS);
    assertThat(metrics.get("bytes").asLong()).isPositive();
    assertThat(metrics.get("samples_per_s").asDouble()).isPositive();
    assertThat(metrics.has("storage_wait_s")).isTrue();
    assertThat(metrics.has("client_wait_s")).isTrue();
  }

  @Test
  void thePlanActionResolvesTheVersionAndCountsBatches() {
    JsonNode plan =
        client.action("plan", consumer(1, 2, 0, 2).toString().getBytes(StandardCharsets.UTF_8));
    assertThat(plan.get("version").asLong()).isEqualTo(2);
    assertThat(plan.get("samples").asInt()).isEqualTo(ROWS);
    assertThat(plan.get("batches").asInt()).isEqualTo(6);
  }

  @Test
  void getFlightInfoDescribesTheOutputSchemaAndTheConsumersRecords() throws Exception {
    ObjectNode req = consumer(0, 2, 1, 2);
    req.set(
        "pipeline",
        TestClient.JSON.readTree("[{\"op\":\"reshape\",\"column\":\"image\",\"shape\":[48]}]"));
    var info = client.info(req);
    assertThat(info.getRecords()).isEqualTo(60);
    assertThat(FixedShapeTensorType.of(info.getSchema().findField("image")).shape())
        .containsExactly(48);
    List<Long> viaTicket = new ArrayList<>();
    client.stream(
        (ObjectNode)
            TestClient.JSON.readTree(
                new String(
                    info.getEndpoints().get(0).getTicket().getBytes(), StandardCharsets.UTF_8)),
        root -> {
          BigIntVector id = (BigIntVector) root.getVector("id");
          for (int i = 0; i < root.getRowCount(); i++) {
            viaTicket.add(id.get(i));
          }
        });
    assertThat(viaTicket).isEqualTo(client.ids(consumer(0, 2, 1, 2)));
  }

  @Test
  void checkpointPutStoresVersionsWithLineage() {
    JsonNode first = client.action("checkpoint.put", checkpointBody("cnn", "model-1"));
    JsonNode second = client.action("checkpoint.put", checkpointBody("cnn", "model-2!"));
    assertThat(first.get("version").asLong()).isEqualTo(1);
    assertThat(second.get("version").asLong()).isEqualTo(2);
    assertThat(second.get("lineage").get(0).asText()).isEqualTo(uri + "@v2");
    assertThat(second.get("metadata").get("loss").asText()).isEqualTo("0.25");
    try (CheckpointRegistry registry = CheckpointRegistry.open(checkpointRoot, S3.conf())) {
      Checkpoint stored = registry.require("cnn", 2);
      assertThat(new String(registry.content(stored), StandardCharsets.UTF_8))
          .isEqualTo("model-2!");
      assertThat(stored.lineage()).containsExactly(uri + "@v2");
      assertThat(stored.metadata()).containsEntry("loss", "0.25");
    }
  }

  private static byte[] checkpointBody(String model, String content) {
    byte[] header =
        ("{\"model\":\""
                + model
                + "\",\"metadata\":{\"loss\":\"0.25\"},\"lineage\":[\""
                + uri
                + "@v2\"]}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + header.length + bytes.length)
        .putInt(header.length)
        .put(header)
        .put(bytes)
        .array();
  }

  private static void assertStatus(ObjectNode request, FlightStatusCode code, String message) {
    assertThatThrownBy(() -> client.ids(request))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(code);
              assertThat(e.getMessage()).contains(message);
            });
  }

  /** A user transform: adds a constant to an int32 column. */
  static final class AddTransform implements Transform {
    private final int value;

    AddTransform(int value) {
      this.value = value;
    }

    @Override
    public org.apache.arrow.vector.types.pojo.Field outputField(
        org.apache.arrow.vector.types.pojo.Field input) {
      return input;
    }

    @Override
    public FieldVector apply(FieldVector input, TransformContext context) {
      IntVector v = (IntVector) input;
      for (int i = 0; i < v.getValueCount(); i++) {
        v.set(i, v.get(i) + value);
      }
      return v;
    }
  }
}
