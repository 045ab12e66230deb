package io.mlobj.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.flink.source.MlobjSource;
import io.mlobj.flink.source.StartPosition;
import io.mlobj.testing.EmbeddedS3Extension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A continuous source picking up versions that another writer commits while the job runs. */
@Timeout(120)
class MlobjContinuousSourceITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

  private static List<String> take(CloseableIterator<String> it, int n) {
    List<String> out = new ArrayList<>();
    while (out.size() < n && it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }

  private static CloseableIterator<String> start(Dataset dataset, StartPosition position)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(200);
    MlobjSource<String> source =
        MlobjSource.builder(new StringRows.Deserializer())
            .path(dataset.uri())
            .conf(S3.conf())
            .continuous(Duration.ofMillis(100))
            .startFrom(position)
            .build();
    return env.fromSource(source, WatermarkStrategy.noWatermarks(), "mlobj").executeAndCollect();
  }

  @Test
  void picksUpAppendsAndOverwritesCommittedWhileRunningButNotCompactions() throws Exception {
    Dataset dataset =
        Dataset.create(S3.newDatasetUri(), S3.conf(), StringRows.SCHEMA, List.of(), Map.of());
    StringRows.append(dataset, List.of("a1", "a2"));
    try (CloseableIterator<String> it = start(dataset, StartPosition.EARLIEST)) {
      assertThat(take(it, 2)).containsExactlyInAnyOrder("a1", "a2");

      StringRows.append(dataset, List.of("b1", "b2", "b3"));
      assertThat(take(it, 3)).containsExactlyInAnyOrder("b1", "b2", "b3");

      // A compaction rewrites rows already read: nothing new to emit. An append follows it.
      var latest = dataset.latest();
      dataset
          .newReplace()
          .removeShards(latest.shards())
          .addShards(StringRows.write(dataset, StringRows.readAll(dataset)))
          .commit();
      StringRows.append(dataset, List.of("c1"));
      assertThat(take(it, 1)).containsExactly("c1");
    }
  }

  @Test
  void startingFromLatestSkipsRowsCommittedBeforeTheJob() throws Exception {
    Dataset dataset =
        Dataset.create(S3.newDatasetUri(), S3.conf(), StringRows.SCHEMA, List.of(), Map.of());
    StringRows.append(dataset, List.of("old"));
    try (CloseableIterator<String> it = start(dataset, StartPosition.LATEST)) {
      // The job may start after this commit; keep appending until one is read.
      List<String> seen = new ArrayList<>();
      Thread writer =
          new Thread(
              () -> {
                for (int i = 0; i < 50 && !Thread.currentThread().isInterrupted(); i++) {
                  StringRows.append(dataset, List.of("new-" + i));
                  try {
                    Thread.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      writer.start();
      seen.addAll(take(it, 3));
      writer.interrupt();
      writer.join();
      assertThat(seen).hasSize(3).allMatch(v -> v.startsWith("new-")).doesNotContain("old");
    }
  }
}
