package io.mlobj.flink.testframe;

import io.mlobj.Dataset;
import io.mlobj.Shard;
import io.mlobj.Snapshot;
import io.mlobj.flink.StringRows;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;
import org.apache.flink.connector.testframe.external.sink.DataStreamSinkV2ExternalContext;
import org.apache.flink.connector.testframe.external.sink.TestingSinkSettings;

/** One dataset per test case; the reader returns the rows of shards it has not returned yet. */
final class MlobjSinkExternalContext extends StringRowsExternalContext
    implements DataStreamSinkV2ExternalContext<String> {
  private final String uri;
  private final Map<String, String> conf;

  MlobjSinkExternalContext(String uri, Map<String, String> conf) {
    this.uri = uri;
    this.conf = conf;
  }

  @Override
  public Sink<String> createSink(TestingSinkSettings settings) {
    return StringRows.sink(uri, conf, "testframe");
  }

  @Override
  public ExternalSystemDataReader<String> createSinkDataReader(TestingSinkSettings settings) {
    Dataset dataset = Dataset.at(uri, conf);
    Set<String> seen = new HashSet<>();
    return new ExternalSystemDataReader<>() {
      @Override
      public List<String> poll(Duration timeout) {
        if (!dataset.exists()) {
          sleep(timeout);
          return List.of();
        }
        Snapshot latest = dataset.latest();
        List<String> rows = StringRows.readShards(latest, seen);
        latest.shards().stream().map(Shard::path).forEach(seen::add);
        if (rows.isEmpty()) {
          sleep(timeout);
        }
        return rows;
      }

      @Override
      public void close() {}
    };
  }

  private static void sleep(Duration timeout) {
    try {
      Thread.sleep(Math.min(timeout.toMillis(), 200));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public List<String> generateTestData(TestingSinkSettings settings, long seed) {
    return StringRows.random("row-", 50, seed);
  }

  @Override
  public String toString() {
    return "mlobj sink to " + uri;
  }
}
