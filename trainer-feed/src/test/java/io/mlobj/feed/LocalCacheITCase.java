package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.Dataset;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.testing.EmbeddedS3Extension;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A feed server with a local shard cache: the first epoch fetches every shard from the object
 * store; later epochs, and take requests, read them from local disk, even with the objects gone.
 */
class LocalCacheITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @TempDir Path cacheDir;

  static com.fasterxml.jackson.databind.node.ObjectNode request(String uri, int epoch) {
    return FeedRequest.json(uri)
        .put("batch_size", 16)
        .put("seed", 5)
        .put("epoch", epoch)
        .put("shuffle_buffer", 64);
  }

  /** Mappings of files under {@code dir} in this process (Linux), or 0 where unknown. */
  static long mappingsOf(Path dir) throws java.io.IOException {
    Path maps = Path.of("/proc/self/maps");
    if (!java.nio.file.Files.isReadable(maps)) {
      return 0;
    }
    try (var lines = java.nio.file.Files.lines(maps)) {
      return lines.filter(l -> l.contains(dir.toAbsolutePath().toString())).count();
    }
  }

  @Test
  void aReadAheadAtOrAboveTheMemoryCapIsRefusedWithALocalCache() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                FeedServer.builder()
                    .conf(S3.conf())
                    .localCache(cacheDir, 1L << 30)
                    .memoryCap(256L << 20)
                    .readAhead(256L << 20, 4)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lower --read-ahead or raise --memory-cap");
  }

  @Test
  void epochsAfterTheFirstReadEveryShardFromLocalDisk() throws Exception {
    String uri = S3.newDatasetUri();
    long rows;
    try (BufferAllocator writer = new RootAllocator()) {
      rows = FeedTestData.create(uri, S3.conf(), writer, ShardFormat.ARROW, 6, 2, 40, 8, 8);
    }
    Dataset dataset = Dataset.open(uri, S3.conf());
    List<Shard> shards = dataset.latest().shards();
    long largestShard = shards.stream().mapToLong(Shard::bytes).max().orElseThrow();
    List<Long> all = LongStream.range(0, rows).boxed().toList();
    try (FeedServer server =
            FeedServer.builder()
                .conf(S3.conf())
                .localCache(cacheDir, 64L << 20)
                // Memory holds two shards: later epochs cannot be served from memory.
                .readAhead(largestShard * 2, 1)
                .build()
                .start();
        BufferAllocator allocator = new RootAllocator();
        TestClient client = new TestClient(allocator, server.port(), null)) {
      assertThat(client.ids(request(uri, 0))).containsExactlyInAnyOrderElementsOf(all);
      JsonNode first = client.action("metrics", new byte[0]).get("local_cache");
      assertThat(first.get("misses").asLong()).isEqualTo(shards.size());
      assertThat(first.get("held_bytes").asLong())
          .isEqualTo(shards.stream().mapToLong(Shard::bytes).sum());

      assertThat(client.ids(request(uri, 1))).containsExactlyInAnyOrderElementsOf(all);
      JsonNode second = client.action("metrics", new byte[0]).get("local_cache");
      // Every shard read in the second epoch was a hit: no new miss (a shard the in-memory
      // read-ahead evicted between two of its blocks may be read, and hit, twice).
      assertThat(second.get("misses").asLong()).isEqualTo(shards.size());
      assertThat(second.get("hits").asLong()).isGreaterThanOrEqualTo(shards.size());

      for (Shard shard : shards) {
        dataset.store().delete(shard.path());
      }
      assertThat(client.ids(request(uri, 2))).containsExactlyInAnyOrderElementsOf(all);
      // Mapped cached shards are unmapped once dropped from the in-memory cache and no vector
      // uses them: three epochs (18 shard reads) did not pile up mappings until some GC. The
      // cache holds two shards, plus at most one fetched over the cap for a stream that needed
      // it and one prefetch.
      assertThat(mappingsOf(cacheDir)).isLessThanOrEqualTo(4);
      // take: samples of every shard, read from local disk instead of by range from storage.
      com.fasterxml.jackson.databind.node.ObjectNode take =
          FeedRequest.json(uri).put("batch_size", 4);
      List<Long> indexes = List.of(rows - 1, 0L, 85L, 170L, 255L, 340L, 425L);
      indexes.forEach(take.putArray("take")::add);
      assertThat(client.ids(take)).containsExactlyElementsOf(indexes);
    }
  }
}
