package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.Dataset;
import io.mlobj.ParquetPages;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.SmallRows;
import io.mlobj.ops.Importer;
import io.mlobj.testing.EmbeddedS3Extension;
import io.mlobj.testing.FaultInjectingProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code take} from Parquet shards read by range: every page that carries a CRC is checked against
 * it (a damaged page fails the take with an error naming the dataset, version, object, row group
 * and column; pages written without a CRC still read), and each shard's footer is kept, so a warm
 * take requests its samples' column chunks only.
 */
class ParquetTakeITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static final int ROWS = 64;

  private static ObjectNode take(String uri, long... samples) {
    ObjectNode request = FeedRequest.json(uri);
    ArrayNode list = request.putArray("take");
    for (long s : samples) {
      list.add(s);
    }
    return request;
  }

  /** The row group of a shard holding its row {@code row}. */
  private static int rowGroupOf(Shard shard, long row) {
    long first = 0;
    for (int g = 0; g < shard.batchRows().size(); g++) {
      first += shard.batchRows().get(g);
      if (row < first) {
        return g;
      }
    }
    throw new IllegalArgumentException("row " + row + " is beyond the shard");
  }

  @Test
  void aTakeOfADamagedPageFailsNamingTheShardRowGroupAndColumnAndOtherRowGroupsStillTake()
      throws Exception {
    String uri = S3.newDatasetUri();
    try (BufferAllocator allocator = new RootAllocator()) {
      // One shard of ids 0..127, a row group per image (3 x 32 x 32 bytes over the 1 KiB target).
      FeedTestData.create(uri, S3.conf(), allocator, ShardFormat.PARQUET, 1, 2, ROWS, 32, 32);
      Dataset dataset = Dataset.open(uri, S3.conf());
      Shard shard = dataset.latest().shards().get(0);
      int group = rowGroupOf(shard, 70);
      byte[] original = dataset.store().read(shard.path());
      byte[] damaged = original.clone();
      damaged[(int) ParquetPages.firstDataPage(original, group, "image").middle()] ^= 0x20;
      dataset.store().put(shard.path(), damaged, Map.of());

      try (FeedServer server = FeedServer.builder().conf(S3.conf()).build().start();
          TestClient client = new TestClient(allocator, server.port(), null)) {
        assertThatThrownBy(() -> client.stream(take(uri, 3, 70), root -> {}))
            .isInstanceOf(FlightRuntimeException.class)
            .hasMessageContaining(
                "Cannot read shard "
                    + dataset.objectUri(shard.path())
                    + " of dataset "
                    + dataset.uri()
                    + " at version 2")
            .hasMessageContaining("a page of row group " + group + ", column 'image")
            .hasMessageContaining("the object's bytes are damaged")
            .hasMessageContaining("Run 'mlobj verify " + dataset.uri() + "'");

        // Row groups whose pages are intact still take from the damaged shard.
        List<Long> ids = new ArrayList<>();
        List<Integer> pixels = new ArrayList<>();
        client.stream(take(uri, 3, 71), r -> FeedTestData.collectPixels(r, 1, 2, 3, ids, pixels));
        assertThat(ids).containsExactly(3L, 71L);
        assertThat(pixels)
            .containsExactly(FeedTestData.pixel(3, 1, 2, 3), FeedTestData.pixel(71, 1, 2, 3));

        // Restored, the sample takes again.
        dataset.store().put(shard.path(), original, Map.of());
        ids.clear();
        pixels.clear();
        client.stream(take(uri, 70), r -> FeedTestData.collectPixels(r, 2, 31, 7, ids, pixels));
        assertThat(ids).containsExactly(70L);
        assertThat(pixels).containsExactly(FeedTestData.pixel(70, 2, 31, 7));
        assertThat(server.metrics().shardFetches.get()).as("all by range").isZero();
      }
    }
  }

  @Test
  void aParquetFileWrittenWithoutPageCrcsStillTakes() throws Exception {
    String uri = S3.newDatasetUri();
    Dataset dataset = SmallRows.create(uri, S3.conf());
    byte[] plain = ParquetPages.plainFileWithoutPageCrcs(0, 3000, 9, 4096);
    assertThat(ParquetPages.noPageHasACrc(plain)).isTrue();
    dataset.store().put("incoming/plain.parquet", plain, Map.of());
    Importer.importFiles(dataset, List.of("incoming/plain.parquet"));
    assertThat(Dataset.open(uri, S3.conf()).latest().shards().get(0).batchRows())
        .hasSizeGreaterThan(2);

    try (BufferAllocator allocator = new RootAllocator();
        FeedServer server = FeedServer.builder().conf(S3.conf()).build().start();
        TestClient client = new TestClient(allocator, server.port(), null)) {
      List<Long> ids = new ArrayList<>();
      client.stream(
          take(uri, 2999, 4, 1500),
          root -> {
            for (int i = 0; i < root.getRowCount(); i++) {
              ids.add((Long) root.getVector("id").getObject(i));
              assertThat(root.getVector("writer").getObject(i)).isEqualTo(9);
            }
          });
      assertThat(ids).containsExactly(2999L, 4L, 1500L);
      assertThat(server.metrics().shardFetches.get()).as("all by range").isZero();
    }
  }

  @Test
  void aWarmTakeRequestsOnlyTheColumnChunksOfItsSamplesRowGroups() throws Exception {
    String uri = S3.newDatasetUri();
    try (BufferAllocator allocator = new RootAllocator();
        FaultInjectingProxy proxy = FaultInjectingProxy.inFrontOf(S3.server().endpoint()).start()) {
      // 2 shards of 128 samples, a row group per sample.
      FeedTestData.create(uri, S3.conf(), allocator, ShardFormat.PARQUET, 2, 2, ROWS, 32, 32);
      try (FeedServer server =
              FeedServer.builder().conf(S3.server().hadoopConf(proxy.endpoint())).build().start();
          TestClient client = new TestClient(allocator, server.port(), null)) {
        // Cold: reads each shard's footer (from its tail) and the two row groups.
        List<Long> ids = new ArrayList<>();
        client.stream(take(uri, 5, 200), root -> ids.addAll(idsOf(root)));
        assertThat(ids).containsExactly(5L, 200L);
        int before = dataGets(proxy);

        // Warm: four other row groups of the same shards, one ranged GET each.
        ids.clear();
        List<Integer> pixels = new ArrayList<>();
        client.stream(
            take(uri, 100, 6, 129, 250),
            root -> FeedTestData.collectPixels(root, 0, 9, 30, ids, pixels));
        assertThat(ids).containsExactly(100L, 6L, 129L, 250L);
        assertThat(pixels)
            .containsExactly(
                FeedTestData.pixel(100, 0, 9, 30),
                FeedTestData.pixel(6, 0, 9, 30),
                FeedTestData.pixel(129, 0, 9, 30),
                FeedTestData.pixel(250, 0, 9, 30));
        assertThat(dataGets(proxy) - before).as("GETs of data objects").isEqualTo(4);
        assertThat(server.metrics().shardFetches.get()).isZero();
      }
    }
  }

  /** GET requests of shard objects (keys under the dataset's data/ prefix) the proxy saw. */
  private static int dataGets(FaultInjectingProxy proxy) {
    return (int)
        proxy.log().stream().filter(l -> l.startsWith("GET ") && l.contains("/data/")).count();
  }

  private static List<Long> idsOf(org.apache.arrow.vector.VectorSchemaRoot root) {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < root.getRowCount(); i++) {
      ids.add((Long) root.getVector("id").getObject(i));
    }
    return ids;
  }
}
