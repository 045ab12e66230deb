package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.Dataset;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A dataset several times larger than the server's memory caps streams completely, with the Arrow
 * memory peak and the shard cache peak staying under the caps, also for a slow client.
 */
class MemoryBoundITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @Test
  void aDatasetManyTimesTheMemoryCapsStreamsInBoundedMemory() throws Exception {
    String uri = S3.newDatasetUri();
    long rows;
    try (BufferAllocator writer = new RootAllocator()) {
      // 16 shards x 4 batches x 64 samples of uint8 [3, 32, 32]: about 12.6 MB of pixels.
      rows = FeedTestData.create(uri, S3.conf(), writer, ShardFormat.ARROW, 16, 4, 64, 32, 32);
    }
    long datasetBytes =
        Dataset.open(uri, S3.conf()).latest().shards().stream().mapToLong(Shard::bytes).sum();
    long arrowCap = 4L << 20;
    long readAheadCap = 1L << 20;
    long largestShard =
        Dataset.open(uri, S3.conf()).latest().shards().stream()
            .mapToLong(Shard::bytes)
            .max()
            .orElseThrow();
    try (FeedServer server =
            FeedServer.builder()
                .conf(S3.conf())
                .memoryCap(arrowCap)
                .readAhead(readAheadCap, 2)
                .prepareThreads(2)
                .build()
                .start();
        BufferAllocator allocator = new RootAllocator();
        TestClient client = new TestClient(allocator, server.port(), null)) {
      ObjectNode request =
          FeedRequest.json(uri).put("batch_size", 16).put("shuffle_buffer", 128).put("seed", 1);
      request
          .putArray("pipeline")
          .addObject()
          .put("op", "cast")
          .put("column", "image")
          .put("to", "float32");
      List<Long> ids = new ArrayList<>();
      int[] batches = {0};
      client.stream(
          request,
          root -> {
            BigIntVector id = (BigIntVector) root.getVector("id");
            for (int i = 0; i < root.getRowCount(); i++) {
              ids.add(id.get(i));
            }
            if (batches[0]++ < 8) {
              sleep(); // a slow client first: the server must wait, not buffer
            }
          });
      assertThat(ids)
          .containsExactlyInAnyOrderElementsOf(LongStream.range(0, rows).boxed().toList());
      long arrowPeak = server.allocator().getPeakMemoryAllocation();
      long cachePeak = server.metrics().shardCachePeakBytes.get();
      assertThat(datasetBytes).isGreaterThan(3 * Math.max(arrowCap, readAheadCap));
      assertThat(arrowPeak).isPositive().isLessThanOrEqualTo(arrowCap);
      assertThat(cachePeak).isLessThanOrEqualTo(readAheadCap + largestShard);
      System.out.printf(
          "dataset %d bytes, Arrow peak %d bytes, shard cache peak %d bytes%n",
          datasetBytes, arrowPeak, cachePeak);
    }
  }

  @Test
  void aShuffledEpochFetchesEveryShardOnceWhenTheCacheHoldsOnlyTwoAndAHalfShards()
      throws Exception {
    String uri = S3.newDatasetUri();
    long rows;
    try (BufferAllocator writer = new RootAllocator()) {
      rows = FeedTestData.create(uri, S3.conf(), writer, ShardFormat.ARROW, 8, 4, 64, 16, 16);
    }
    List<Shard> shards = Dataset.open(uri, S3.conf()).latest().shards();
    long largestShard = shards.stream().mapToLong(Shard::bytes).max().orElseThrow();
    try (FeedServer server =
            FeedServer.builder()
                .conf(S3.conf())
                .readAhead(largestShard * 5 / 2, 4)
                .prepareThreads(2)
                .build()
                .start();
        BufferAllocator allocator = new RootAllocator();
        TestClient client = new TestClient(allocator, server.port(), null)) {
      // Read ahead of two shards plus the one in use exceed the cap: the shard in use must not be
      // evicted for them (it was, and was fetched again for its next block).
      ObjectNode request =
          FeedRequest.json(uri).put("batch_size", 32).put("shuffle_buffer", 64).put("seed", 3);
      List<Long> ids = new ArrayList<>();
      client.stream(
          request,
          root -> {
            BigIntVector id = (BigIntVector) root.getVector("id");
            for (int i = 0; i < root.getRowCount(); i++) {
              ids.add(id.get(i));
            }
          });
      assertThat(ids)
          .containsExactlyInAnyOrderElementsOf(LongStream.range(0, rows).boxed().toList());
      assertThat(server.metrics().shardFetches.get()).isEqualTo(shards.size());
      assertThat(server.metrics().shardCachePeakBytes.get())
          .isLessThanOrEqualTo(largestShard * 5 / 2);
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
