package io.mlobj.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.Lineage;
import io.mlobj.MlobjConf;
import io.mlobj.Shard;
import io.mlobj.Snapshot;
import io.mlobj.flink.sink.MlobjSink;
import io.mlobj.testing.EmbeddedS3Extension;
import io.mlobj.testing.FaultInjectingProxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Streaming jobs appending to a dataset over several checkpoints, checked with a kernel read. */
class MlobjSinkITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(4);

  static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();

  private static StreamExecutionEnvironment env(int parallelism) {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    env.setParallelism(parallelism);
    env.enableCheckpointing(150);
    return env;
  }

  private static DataGeneratorSource<String> rows(int count, int perSecond) {
    return new DataGeneratorSource<>(
        index -> "row-" + index, count, RateLimiterStrategy.perSecond(perSecond), Types.STRING);
  }

  private static List<String> expected(int count) {
    return IntStream.range(0, count).mapToObj(i -> "row-" + i).toList();
  }

  @Test
  void streamingJobAppendsOneVersionPerCheckpointAndEveryRowExactlyOnce() throws Exception {
    String uri = S3.newDatasetUri();
    StreamExecutionEnvironment env = env(2);
    env.fromSource(rows(600, 150), WatermarkStrategy.noWatermarks(), "rows")
        .sinkTo(StringRows.sink(uri, S3.conf(), "append-test"));
    env.execute("mlobj append test");

    Dataset dataset = Dataset.open(uri, S3.conf());
    assertThat(StringRows.readAll(dataset)).containsExactlyInAnyOrderElementsOf(expected(600));
    List<Snapshot> history = dataset.history(100);
    // Several checkpoints committed, each as one version (the first version created the dataset).
    assertThat(history).hasSizeGreaterThan(2);
    List<String> checkpoints =
        history.stream()
            .map(v -> v.summary().properties().get("flink.checkpoint"))
            .filter(java.util.Objects::nonNull)
            .toList();
    assertThat(checkpoints).hasSize(history.size()).doesNotHaveDuplicates();
    Snapshot latest = dataset.latest();
    assertThat(latest.summary().engine()).isEqualTo("flink-2.3.0");
    assertThat(latest.summary().properties().get(Lineage.JOB)).contains("mlobj append test");
    assertThat(latest.appTransactions()).containsKey("append-test/" + latest.summary().appId());
  }

  @Test
  void jobFailingMidStreamStillCommitsEveryRowExactlyOnce() throws Exception {
    String uri = S3.newDatasetUri();
    FAILED_ONCE.set(false);
    StreamExecutionEnvironment env = env(2);
    env.fromSource(rows(500, 400), WatermarkStrategy.noWatermarks(), "rows")
        .map(
            value -> {
              if (value.equals("row-300") && FAILED_ONCE.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure");
              }
              return value;
            })
        .returns(Types.STRING)
        .sinkTo(StringRows.sink(uri, S3.conf(), "failover-test"));
    env.execute("mlobj failover test");

    assertThat(FAILED_ONCE).isTrue();
    assertThat(StringRows.readAll(Dataset.open(uri, S3.conf())))
        .containsExactlyInAnyOrderElementsOf(expected(500));
  }

  @Test
  void writeOlderThanTheCheckAgeHasItsShardsCheckedBeforeEachCommit() throws Exception {
    String uri = S3.newDatasetUri();
    List<String> shardHeads;
    try (FaultInjectingProxy proxy =
        FaultInjectingProxy.inFrontOf(S3.server().endpoint()).start()) {
      Map<String, String> conf = new HashMap<>(S3.conf());
      conf.put("fs.s3a.endpoint", proxy.endpoint());
      conf.put(MlobjConf.COMMIT_CHECK_SHARDS_AFTER, "1ms");
      StreamExecutionEnvironment env = env(2);
      env.fromSource(rows(300, 300), WatermarkStrategy.noWatermarks(), "rows")
          .sinkTo(
              MlobjSink.<String>builder()
                  .path(uri)
                  .conf(conf)
                  .schema(StringRows.SCHEMA)
                  .serializer(new StringRows.Serializer())
                  .sinkId("long-write-test")
                  .build());
      env.execute("mlobj long write test");
      shardHeads =
          proxy.log().stream()
              .filter(line -> line.startsWith("HEAD ") && line.contains("/data/"))
              .toList();
    }

    Dataset dataset = Dataset.open(uri, S3.conf());
    assertThat(StringRows.readAll(dataset)).containsExactlyInAnyOrderElementsOf(expected(300));
    // Each committed shard was looked up (HEAD) by the commit that made it visible.
    for (Shard shard : dataset.latest().shards()) {
      assertThat(shardHeads).anyMatch(line -> line.contains(shard.path()));
    }
  }
}
