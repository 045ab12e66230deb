package io.mlobj.flink.testframe;

import io.mlobj.Dataset;
import io.mlobj.flink.StringRows;
import io.mlobj.flink.source.MlobjSource;
import io.mlobj.flink.source.StartPosition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.testframe.external.ExternalSystemSplitDataWriter;
import org.apache.flink.connector.testframe.external.source.DataStreamSourceExternalContext;
import org.apache.flink.connector.testframe.external.source.TestingSourceSettings;

/**
 * One dataset per test case. Each split writer commits one version with one shard per call, so a
 * continuous source sees data written both before and while the job runs.
 */
final class MlobjSourceExternalContext extends StringRowsExternalContext
    implements DataStreamSourceExternalContext<String> {
  private final Dataset dataset;
  private final Map<String, String> conf;

  MlobjSourceExternalContext(String uri, Map<String, String> conf) {
    this.conf = conf;
    this.dataset = Dataset.create(uri, conf, StringRows.SCHEMA, List.of(), Map.of());
  }

  @Override
  public Source<String, ?, ?> createSource(TestingSourceSettings settings) {
    MlobjSource.Builder<String> builder =
        MlobjSource.builder(new StringRows.Deserializer()).path(dataset.uri()).conf(conf);
    if (settings.getBoundedness() == Boundedness.CONTINUOUS_UNBOUNDED) {
      builder.continuous(Duration.ofMillis(200)).startFrom(StartPosition.EARLIEST);
    }
    return builder.build();
  }

  @Override
  public ExternalSystemSplitDataWriter<String> createSourceSplitDataWriter(
      TestingSourceSettings settings) {
    return new ExternalSystemSplitDataWriter<>() {
      @Override
      public void writeRecords(List<String> records) {
        StringRows.append(dataset, records);
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public List<String> generateTestData(TestingSourceSettings settings, int splitIndex, long seed) {
    return StringRows.random("split-" + splitIndex + "-", 20, seed);
  }

  @Override
  public String toString() {
    return "mlobj source on " + dataset.uri();
  }
}
