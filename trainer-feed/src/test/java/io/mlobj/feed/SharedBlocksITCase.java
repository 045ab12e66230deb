package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.ShardFormat;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The feed decodes each block once and lets every stream and preparing thread read it: the workers
 * of a DataLoader streaming at once, each with several preparing threads, must each get every
 * column of their rows exactly (a list column once came back with another row's values when two
 * threads copied from the same block).
 */
class SharedBlocksITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static final int WORKERS = 4;

  static List<ShardFormat> formats() {
    return List.of(ShardFormat.PARQUET, ShardFormat.ARROW);
  }

  @ParameterizedTest(name = "{0} shards")
  @MethodSource("formats")
  void workersStreamingAtOnceGetEveryColumnOfTheirRowsExactly(ShardFormat format) throws Exception {
    String uri = S3.newDatasetUri();
    long rows;
    try (BufferAllocator writer = new RootAllocator()) {
      rows = FeedTestData.create(uri, S3.conf(), writer, format, 4, 4, 128, 4, 4, 64L << 10);
    }
    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Long> seen = new ConcurrentLinkedQueue<>();
    ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
    try (FeedServer server =
            FeedServer.builder().conf(S3.conf()).prepareThreads(4).build().start();
        BufferAllocator allocator = new RootAllocator()) {
      List<Future<?>> streams = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        ObjectNode request =
            FeedRequest.json(uri)
                .put("batch_size", 16)
                .put("shuffle_buffer", 512)
                .put("seed", 11)
                .put("worker", w)
                .put("num_workers", WORKERS);
        streams.add(
            workers.submit(
                () -> {
                  try (TestClient client = new TestClient(allocator, server.port(), null)) {
                    client.stream(request, root -> check(root, seen, wrong));
                  }
                  return null;
                }));
      }
      for (Future<?> stream : streams) {
        stream.get();
      }
    } finally {
      workers.shutdownNow();
    }

    assertThat(wrong).isEmpty();
    assertThat(seen)
        .containsExactlyInAnyOrderElementsOf(LongStream.range(0, rows).boxed().toList());
  }

  /** Collects the rows' ids and describes every row whose columns do not match its id. */
  private static void check(
      VectorSchemaRoot root,
      ConcurrentLinkedQueue<Long> seen,
      ConcurrentLinkedQueue<String> wrong) {
    BigIntVector id = (BigIntVector) root.getVector("id");
    for (int i = 0; i < root.getRowCount(); i++) {
      seen.add(id.get(i));
    }
    wrong.addAll(FeedTestData.rowsNotMatchingTheirIds(root));
  }
}
