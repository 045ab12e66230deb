package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.ShardFormat;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Several clients calling {@code take} on the same shards at once share what the feed keeps per
 * shard (footers, record batch headers, narrow columns of Arrow IPC; decoded blocks of Parquet):
 * each must get exactly the samples it asked for, in its order, with every column of each row.
 */
class ConcurrentTakeITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static final int CLIENTS = 8;
  private static final int ROUNDS = 12;
  private static final int SAMPLES = 16;
  private static final int H = 4;
  private static final int W = 4;

  static List<ShardFormat> formats() {
    return List.of(ShardFormat.ARROW, ShardFormat.PARQUET);
  }

  @ParameterizedTest(name = "{0} shards")
  @MethodSource("formats")
  void clientsTakingFromTheSameShardsAtOnceGetEveryColumnOfTheirSamplesExactly(ShardFormat format)
      throws Exception {
    String uri = S3.newDatasetUri();
    long rows;
    try (BufferAllocator writer = new RootAllocator()) {
      rows = FeedTestData.create(uri, S3.conf(), writer, format, 2, 4, 64, H, W, 64L << 10);
    }
    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    CountDownLatch start = new CountDownLatch(1);
    try (FeedServer server = FeedServer.builder().conf(S3.conf()).build().start();
        BufferAllocator allocator = new RootAllocator()) {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        Random random = new Random(c);
        done.add(
            clients.submit(
                () -> {
                  try (TestClient client = new TestClient(allocator, server.port(), null)) {
                    start.await();
                    for (int round = 0; round < ROUNDS; round++) {
                      ObjectNode take = FeedRequest.json(uri).put("batch_size", 5);
                      ArrayNode list = take.putArray("take");
                      List<Long> asked = new ArrayList<>();
                      for (int s = 0; s < SAMPLES; s++) {
                        long sample = random.nextInt((int) rows);
                        asked.add(sample);
                        list.add(sample);
                      }
                      List<Long> got = new ArrayList<>();
                      client.stream(take, root -> check(root, got, wrong));
                      if (!got.equals(asked)) {
                        wrong.add("asked " + asked + ", got " + got);
                      }
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      clients.shutdownNow();
    }
    assertThat(wrong).isEmpty();
  }

  @org.junit.jupiter.api.Test
  void clientsTakingFromAColdArrowShardAtOnceReadItsFooterOnce() throws Exception {
    // Two identical one-shard datasets (~800 KB shards, footers read with a 64 KiB tail): the
    // same takes, one after another on the first, all at once on the second, read the same bytes
    // (the concurrent ones once read the footer once per client).
    long[] sequential = new long[1];
    long[] concurrent = new long[1];
    for (int run = 0; run < 2; run++) {
      String uri = S3.newDatasetUri();
      try (BufferAllocator writer = new RootAllocator()) {
        FeedTestData.create(uri, S3.conf(), writer, ShardFormat.ARROW, 1, 4, 64, 32, 32);
      }
      boolean atOnce = run == 1;
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      try (FeedServer server = FeedServer.builder().conf(S3.conf()).build().start();
          BufferAllocator allocator = new RootAllocator()) {
        List<Future<List<Long>>> done = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          long sample = c * 32L; // every other client in another record batch
          Callable<List<Long>> take =
              () -> {
                try (TestClient client = new TestClient(allocator, server.port(), null)) {
                  start.await();
                  ObjectNode request = FeedRequest.json(uri);
                  request.putArray("take").add(sample);
                  return client.ids(request);
                }
              };
          if (atOnce) {
            done.add(clients.submit(take));
          } else {
            start.countDown();
            done.add(java.util.concurrent.CompletableFuture.completedFuture(take.call()));
          }
        }
        start.countDown();
        for (int c = 0; c < CLIENTS; c++) {
          assertThat(done.get(c).get()).containsExactly(c * 32L);
        }
        (atOnce ? concurrent : sequential)[0] = server.metrics().storageBytes.get();
      } finally {
        clients.shutdownNow();
      }
    }
    assertThat(concurrent[0]).isPositive().isLessThanOrEqualTo(sequential[0] + (16 << 10));
  }

  /** Collects the rows' ids and describes every row whose columns do not match its id. */
  private static void check(
      VectorSchemaRoot root, List<Long> ids, ConcurrentLinkedQueue<String> wrong) {
    BigIntVector id = (BigIntVector) root.getVector("id");
    for (int i = 0; i < root.getRowCount(); i++) {
      ids.add(id.get(i));
    }
    wrong.addAll(FeedTestData.rowsNotMatchingTheirIds(root));
  }
}
