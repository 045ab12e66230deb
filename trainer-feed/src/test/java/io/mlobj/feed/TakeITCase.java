package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.Dataset;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code take} reads the shard index and the record batches it needs, not whole shards. */
class TakeITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @Test
  void takeReadsOnlyTheFooterAndTheRecordBatchesOfTheSamplesAsked() throws Exception {
    String uri = S3.newDatasetUri();
    try (BufferAllocator allocator = new RootAllocator()) {
      // 2 shards x 8 record batches x 64 samples of uint8 [3, 32, 32]: ~1.6 MB per shard.
      FeedTestData.create(uri, S3.conf(), allocator, ShardFormat.ARROW, 2, 8, 64, 32, 32);
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
        // Three record batches of ~200 KB plus two footers, not 3.2 MB of shards.
        long read = server.metrics().storageBytes.get();
        assertThat(read).isPositive().isLessThan(shardBytes / 4);
        assertThat(server.metrics().shardFetches.get()).isZero();
      }
    }
  }
}
