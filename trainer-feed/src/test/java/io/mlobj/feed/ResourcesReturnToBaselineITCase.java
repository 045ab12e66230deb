package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.MlobjConf;
import io.mlobj.ShardFormat;
import io.mlobj.arrow.BatchReader;
import io.mlobj.testing.EmbeddedS3Extension;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens and closes 200 datasets, writers, scans and feed servers (each serving one stream) in one
 * JVM: every pool belongs to what created it, so mlobj's threads, direct memory and open mappings
 * return to their baseline, taken after a few warm-up rounds (JVM-wide pieces of the libraries
 * below, such as the gRPC and AWS SDK shared executors, start once and stay).
 */
class ResourcesReturnToBaselineITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();
  private static final String TOKEN = "resources-token";
  private static final int ROUNDS = 200;
  private static final int WARM_UP = 5;

  @TempDir Path cacheDir;

  @Test
  void threadsDirectMemoryAndMappingsReturnToBaselineAfter200Rounds() throws Exception {
    Map<String, String> conf = new HashMap<>(S3.conf());
    conf.put(MlobjConf.CACHE_DIR, cacheDir.toString());
    String uri = S3.newDatasetUri();
    try (BufferAllocator allocator = new RootAllocator()) {
      FeedTestData.create(uri, conf, allocator, ShardFormat.ARROW, 2, 2, 16, 4, 4);
    }
    for (int i = 0; i < WARM_UP; i++) {
      round(uri, conf);
    }
    Snapshot baseline = Snapshot.take();
    for (int i = WARM_UP; i < ROUNDS; i++) {
      round(uri, conf);
    }
    Snapshot after = Snapshot.settled(baseline);
    assertThat(after.mlobjThreads())
        .as("mlobj threads: %s", after.names())
        .isLessThanOrEqualTo(baseline.mlobjThreads());
    assertThat(after.threads())
        .as("all threads: %s", after.names())
        .isLessThanOrEqualTo(baseline.threads() + 8);
    assertThat(after.mappings()).as("open mappings").isLessThanOrEqualTo(baseline.mappings());
    assertThat(after.directBytes())
        .as("direct memory")
        .isLessThanOrEqualTo(baseline.directBytes() + (4 << 20));
  }

  /** One dataset handle, one written-then-aborted writer, one scan and one feed server stream. */
  private static void round(String uri, Map<String, String> conf) throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        Dataset dataset = Dataset.open(uri, conf)) {
      Schema schema = dataset.latest().schema();
      try (DatasetWriter writer =
              dataset.newWriter(schema).format(ShardFormat.ARROW).build(allocator);
          VectorSchemaRoot batch = FeedTestData.batch(allocator, schema, 0, 8, 4, 4)) {
        writer.write(batch);
        writer.complete();
        writer.abort(); // deletes the uploaded shard; nothing is committed
      }
      long rows = 0;
      try (BatchReader reader = dataset.latest().newScan().build().open(allocator)) {
        while (reader.next()) {
          rows += reader.root().getRowCount();
        }
      }
      assertThat(rows).isEqualTo(64);
      try (FeedServer server = FeedServer.builder().conf(conf).token(TOKEN).build().start();
          TestClient client = new TestClient(allocator, server.port(), TOKEN)) {
        assertThat(client.ids(FeedRequest.json(uri).put("batch_size", 16).put("seed", 1)))
            .hasSize(64);
      }
    }
  }

  private record Snapshot(
      int threads, int mlobjThreads, long mappings, long directBytes, List<String> names) {
    static Snapshot take() {
      System.gc();
      long mapped = 0;
      long direct = 0;
      for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
        if (pool.getName().equals("mapped")) {
          mapped = pool.getCount();
        } else if (pool.getName().equals("direct")) {
          direct = pool.getMemoryUsed();
        }
      }
      List<String> names =
          Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList();
      int ours = (int) names.stream().filter(n -> n.startsWith("mlobj-")).count();
      return new Snapshot(names.size(), ours, mapped, direct, names);
    }

    /** Waits (bounded) for threads of closed pools to end before taking the snapshot. */
    static Snapshot settled(Snapshot baseline) throws InterruptedException {
      Snapshot now = take();
      for (int i = 0; i < 300 && now.mlobjThreads() > baseline.mlobjThreads(); i++) {
        Thread.sleep(100);
        now = take();
      }
      return now;
    }
  }
}
