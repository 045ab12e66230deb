package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.commit.CommitStateUnknownException;
import io.mlobj.testing.EmbeddedS3Extension;
import io.mlobj.testing.FaultInjectingProxy;
import io.mlobj.testing.FaultInjectingProxy.Rule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reads and commits through {@link FaultInjectingProxy} in front of the embedded S3 server: 503
 * SlowDown, connection resets and latency are retried without corrupting data or the version log,
 * and a version write whose outcome the client never learns is resolved by re-reading it.
 */
class S3FaultsITCase {
  static java.util.List<ShardFormat> formats() {
    return ShardFormat.values();
  }

  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static final String VERSION_KEYS = "/[^?]*/_mlobj/versions/\\d{20}\\.json";
  private static final String DATA_KEYS = "/[^?]*/data/[^?]+";

  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();
  private FaultInjectingProxy proxy;

  @BeforeEach
  void setUp() {
    proxy = FaultInjectingProxy.inFrontOf(S3.server().endpoint()).start();
  }

  @AfterEach
  void tearDown() {
    proxy.close();
  }

  /**
   * Writes ten rows of shards to {@code dataset} and sets the proxy to lose the response to the
   * next version-file PUT (the PUT itself reaches the server).
   */
  private List<Shard> tenRowsWithTheNextVersionResponseLost(Dataset dataset) {
    List<Shard> shards = SmallRows.write(dataset, arrow.allocator(), ShardFormat.ARROW, 0, 0, 10);
    proxy.add(Rule.resetAfterForward().method("PUT").pathMatching(VERSION_KEYS).times(1));
    return shards;
  }

  private Map<String, String> viaProxy() {
    return S3.server().hadoopConf(proxy.endpoint());
  }

  private Map<String, String> viaProxyWithoutSdkRetries() {
    Map<String, String> conf = new HashMap<>(viaProxy());
    conf.put("fs.s3a.attempts.maximum", "0"); // s3a's meaning: retries after the first attempt
    return conf;
  }

  @ParameterizedTest(name = "format = {0}")
  @MethodSource("formats")
  void readsRetryThroughSlowDownResetsAndLatency(ShardFormat format) {
    String uri = S3.newDatasetUri();
    Dataset direct = SmallRows.create(uri, S3.conf());
    for (int i = 0; i < 4; i++) {
      SmallRows.append(direct, arrow.allocator(), format, i, i * 100L, 100);
    }
    proxy.add(Rule.slowDown().method("GET").pathMatching(DATA_KEYS).times(3));
    proxy.add(Rule.resetBeforeForward().method("GET").pathMatching(DATA_KEYS).times(2));
    proxy.add(Rule.latency(Duration.ofMillis(150)).method("GET").times(3));
    proxy.add(Rule.slowDown().method("GET").pathMatching(VERSION_KEYS).times(2));

    Snapshot latest = Dataset.open(uri, viaProxy()).latest();
    List<Long> ids = SmallRows.ids(latest, arrow.allocator());

    assertThat(ids).containsExactlyInAnyOrderElementsOf(LongStream.range(0, 400).boxed().toList());
    assertThat(proxy.injected()).isEqualTo(10);
    assertThat(proxy.log()).anyMatch(line -> line.contains("/data/") && line.endsWith("slow_down"));
  }

  @Test
  void throttlingIsRetriedOnItsOwnBudgetBeyondTheRetriesForFailures() {
    String uri = S3.newDatasetUri();
    Dataset direct = SmallRows.create(uri, S3.conf());
    SmallRows.append(direct, arrow.allocator(), ShardFormat.ARROW, 0, 0, 10);
    Map<String, String> conf = new HashMap<>(viaProxyWithoutSdkRetries());
    conf.put("fs.s3a.retry.throttle.interval", "1ms");
    proxy.add(Rule.slowDown().method("GET").pathMatching(VERSION_KEYS).times(6));

    List<Long> ids = SmallRows.ids(Dataset.open(uri, conf).latest(), arrow.allocator());

    assertThat(ids).containsExactlyInAnyOrderElementsOf(LongStream.range(0, 10).boxed().toList());
    assertThat(proxy.injected()).isEqualTo(6);
  }

  @Test
  void throttlingBeyondItsLimitFailsWithTheServersAnswer() {
    String uri = S3.newDatasetUri();
    SmallRows.create(uri, S3.conf());
    Map<String, String> conf = new HashMap<>(viaProxy());
    conf.put("fs.s3a.retry.throttle.limit", "2");
    conf.put("fs.s3a.retry.throttle.interval", "1ms");
    proxy.add(Rule.slowDown().method("GET").pathMatching(VERSION_KEYS).times(50));

    assertThatThrownBy(() -> Dataset.open(uri, conf).latest())
        .hasMessageContaining("503")
        .hasMessageContaining("SlowDown");
    assertThat(proxy.injected()).isEqualTo(3);
  }

  @Test
  void requestsThatGaveUpEarlierDoNotStopLaterRequestsFromBeingRetried() {
    String uri = S3.newDatasetUri();
    Dataset direct = SmallRows.create(uri, S3.conf());
    SmallRows.append(direct, arrow.allocator(), ShardFormat.ARROW, 0, 0, 10);
    Map<String, String> conf = new HashMap<>(viaProxy());
    // Settings of its own, so an S3 client of its own (clients are shared per settings).
    conf.put("fs.s3a.retry.throttle.limit", "2");
    conf.put("fs.s3a.retry.throttle.interval", "3ms");
    Snapshot latest = Dataset.open(uri, conf).latest();
    // 60 reads that each give up after 2 throttled retries: 120 retries, more than the SDK's
    // per-client retry token bucket holds (500 tokens at 5 a retry) if it were on.
    for (int i = 0; i < 60; i++) {
      proxy.add(Rule.slowDown().method("GET").pathMatching(DATA_KEYS).times(3));
      assertThatThrownBy(() -> SmallRows.ids(latest, arrow.allocator()))
          .hasMessageContaining("SlowDown");
    }
    proxy.add(Rule.resetBeforeForward().method("GET").pathMatching(DATA_KEYS).times(1));

    List<Long> ids = SmallRows.ids(latest, arrow.allocator());

    assertThat(ids).containsExactlyInAnyOrderElementsOf(LongStream.range(0, 10).boxed().toList());
    assertThat(proxy.injected()).isEqualTo(60 * 3 + 1);
  }

  @Test
  void aResponseCutOffMidBodyIsReadAgainNotReturnedShort() {
    String uri = S3.newDatasetUri();
    Dataset direct = SmallRows.create(uri, S3.conf());
    SmallRows.append(direct, arrow.allocator(), ShardFormat.ARROW, 0, 0, 5000);
    proxy.add(Rule.resetMidResponse().method("GET").pathMatching(DATA_KEYS).times(1));

    List<Long> ids = SmallRows.ids(Dataset.open(uri, viaProxy()).latest(), arrow.allocator());

    assertThat(ids).hasSize(5000).doesNotHaveDuplicates();
    assertThat(proxy.log()).anyMatch(line -> line.endsWith("reset_mid_response"));
  }

  @Test
  void commitsRetryThroughSlowDownResetsAndLatency() {
    String uri = S3.newDatasetUri();
    SmallRows.create(uri, S3.conf());
    proxy.add(Rule.slowDown().method("PUT").pathMatching(VERSION_KEYS).times(3));
    proxy.add(Rule.resetBeforeForward().method("PUT").pathMatching(VERSION_KEYS).times(2));
    proxy.add(Rule.slowDown().method("PUT").pathMatching(".*/_mlobj/manifests/.*").times(2));
    proxy.add(Rule.resetBeforeForward().method("PUT").pathMatching(DATA_KEYS).times(2));
    proxy.add(Rule.latency(Duration.ofMillis(100)).method("PUT").times(4));

    Dataset dataset = Dataset.open(uri, viaProxy());
    List<Long> committed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      committed.add(
          SmallRows.append(dataset, arrow.allocator(), ShardFormat.PARQUET, i, i * 10L, 10)
              .version());
    }

    assertThat(committed).containsExactly(2L, 3L, 4L, 5L, 6L);
    Dataset reread = Dataset.open(uri, S3.conf());
    assertThat(reread.log().listVersions()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(SmallRows.ids(reread.latest(), arrow.allocator()))
        .containsExactlyInAnyOrderElementsOf(LongStream.range(0, 50).boxed().toList());
    assertThat(proxy.injected()).isEqualTo(13);
  }

  @Test
  void concurrentCommittersThroughRandomFaultsStillGetContiguousVersionsAndEveryRowOnce()
      throws Exception {
    String uri = S3.newDatasetUri();
    SmallRows.create(uri, S3.conf());
    proxy.add(
        Rule.slowDown().method("PUT").pathMatching(VERSION_KEYS).probability(0.2, 1).times(8));
    proxy.add(
        Rule.resetAfterForward()
            .method("PUT")
            .pathMatching(VERSION_KEYS)
            .probability(0.2, 2)
            .times(6));
    proxy.add(Rule.resetBeforeForward().method("GET").probability(0.05, 3).times(8));
    proxy.add(Rule.slowDown().method("GET").probability(0.05, 4).times(8));
    int writers = 4;
    int appends = 5;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(writers);
    try {
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        final int writer = w;
        done.add(
            pool.submit(
                () -> {
                  Dataset dataset = Dataset.open(uri, viaProxy());
                  try (BufferAllocator child =
                      arrow.allocator().newChildAllocator("writer-" + writer, 0, Long.MAX_VALUE)) {
                    for (int a = 0; a < appends; a++) {
                      SmallRows.append(
                          dataset, child, ShardFormat.ARROW, writer, writer * 1000L + a * 10, 10);
                    }
                  }
                  return null;
                }));
      }
      for (java.util.concurrent.Future<?> f : done) {
        f.get(120, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(proxy.injected()).isPositive();
    Dataset reread = Dataset.open(uri, S3.conf());
    long last = 1L + writers * appends;
    assertThat(reread.log().listVersions())
        .containsExactlyElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
    java.util.Set<String> transactions = new java.util.HashSet<>();
    for (long v = 2; v <= last; v++) {
      assertThat(transactions.add(reread.version(v).record().transactionId()))
          .as("version %d has its own transaction", v)
          .isTrue();
    }
    List<Long> expected = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      for (int a = 0; a < appends; a++) {
        LongStream.range(w * 1000L + a * 10, w * 1000L + a * 10 + 10).forEach(expected::add);
      }
    }
    assertThat(SmallRows.ids(reread.latest(), arrow.allocator()))
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void aVersionWriteWhoseResponseIsLostIsRecognisedAsOursByReReading() {
    String uri = S3.newDatasetUri();
    SmallRows.create(uri, S3.conf());
    Dataset dataset = Dataset.open(uri, viaProxyWithoutSdkRetries());
    List<Shard> shards = tenRowsWithTheNextVersionResponseLost(dataset);

    Snapshot committed = dataset.newAppend().addShards(shards).commit();

    assertThat(proxy.log()).anyMatch(l -> l.startsWith("PUT") && l.endsWith("reset_after_forward"));
    assertThat(committed.version()).isEqualTo(2);
    Dataset reread = Dataset.open(uri, S3.conf());
    assertThat(reread.log().listVersions()).containsExactly(1L, 2L);
    assertThat(reread.version(2).record().transactionId())
        .isEqualTo(committed.record().transactionId());
    assertThat(SmallRows.ids(reread.latest(), arrow.allocator())).hasSize(10);
  }

  @Test
  void anSdkRetryThatFindsItsOwnVersionAlreadyWrittenIsNotACommitFailure() {
    String uri = S3.newDatasetUri();
    SmallRows.create(uri, S3.conf());
    Dataset dataset = Dataset.open(uri, viaProxy());
    // The first PUT lands but its answer is lost; the SDK retries and gets 412 Precondition Failed.
    List<Shard> shards = tenRowsWithTheNextVersionResponseLost(dataset);

    Snapshot committed = dataset.newAppend().addShards(shards).commit();

    assertThat(committed.version()).isEqualTo(2);
    Dataset reread = Dataset.open(uri, S3.conf());
    assertThat(reread.log().listVersions()).containsExactly(1L, 2L);
    assertThat(reread.latest().rows()).isEqualTo(10);
  }

  @Test
  void whenTheVersionCannotBeReReadTheCommitReportsAnUnknownStateAndKeepsItsShards() {
    String uri = S3.newDatasetUri();
    SmallRows.create(uri, S3.conf());
    Dataset dataset = Dataset.open(uri, viaProxyWithoutSdkRetries());
    List<Shard> shards = tenRowsWithTheNextVersionResponseLost(dataset);
    // The handle builds on version 1, which it found when it opened, without probing for version
    // 2; the re-read of version 2 after the lost PUT fails.
    proxy.add(
        Rule.resetBeforeForward()
            .method("GET")
            .pathMatching(".*/_mlobj/versions/0{19}2\\.json")
            .times(5));

    assertThatThrownBy(() -> dataset.newAppend().addShards(shards).commit())
        .isInstanceOf(CommitStateUnknownException.class)
        .hasMessageContaining("Cannot tell whether version 2 of dataset " + uri)
        .hasMessageContaining("do not delete")
        .satisfies(
            e ->
                assertThat(((MlobjException) e).kind())
                    .isEqualTo(MlobjException.Kind.UNKNOWN_STATE));

    proxy.clearRules();
    Dataset reread = Dataset.open(uri, S3.conf());
    assertThat(reread.latestVersion()).isEqualTo(2);
    for (Shard shard : shards) {
      assertThat(reread.store().head(shard.path())).isPresent();
    }
    assertThat(SmallRows.ids(reread.latest(), arrow.allocator())).hasSize(10);
  }
}
