package io.mlobj.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.ScanTask;
import io.mlobj.flink.StringRows;
import io.mlobj.flink.source.MlobjSource;
import io.mlobj.flink.source.split.MlobjSplit;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The split reader resumes a restored split exactly after the rows already emitted. */
class MlobjSplitReaderITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  /** Reads every record of the splits, with positions, until all are finished. */
  private static List<RecordBatch<String>> readAll(
      MlobjSplitReader<String> reader, List<MlobjSplit> splits) throws Exception {
    reader.handleSplitsChanges(new SplitsAddition<>(splits));
    List<RecordBatch<String>> out = new ArrayList<>();
    int finished = 0;
    while (finished < splits.size()) {
      RecordsWithSplitIds<RecordBatch<String>> records = reader.fetch();
      while (records.nextSplit() != null) {
        RecordBatch<String> record;
        while ((record = records.nextRecordFromSplit()) != null) {
          out.add(record);
        }
      }
      finished += records.finishedSplits().size();
    }
    return out;
  }

  @Test
  void restoredSplitSkipsEmittedRowsInsideAndAcrossBatches() throws Exception {
    Dataset dataset =
        Dataset.create(S3.newDatasetUri(), S3.conf(), StringRows.SCHEMA, List.of(), Map.of());
    StringRows.append(dataset, List.of("r0", "r1", "r2", "r3", "r4", "r5", "r6"));
    MlobjSource<String> source =
        MlobjSource.builder(new StringRows.Deserializer())
            .path(dataset.uri())
            .conf(S3.conf())
            .batchRows(2)
            .build();
    ScanTask task = ScanTask.whole(dataset.latest().shards().get(0));
    long version = dataset.latestVersion();

    List<RecordBatch<String>> resumed;
    List<RecordBatch<String>> fresh;
    try (MlobjSplitReader<String> reader =
        new MlobjSplitReader<>(source.settings(), new StringRows.Deserializer())) {
      // Position 3: batch [r0,r1] is skipped whole, batch [r2,r3] is cut after r2.
      resumed = readAll(reader, List.of(new MlobjSplit(version, task, 3)));
    }
    try (MlobjSplitReader<String> reader =
        new MlobjSplitReader<>(source.settings(), new StringRows.Deserializer())) {
      fresh = readAll(reader, List.of(MlobjSplit.of(version, task)));
    }

    assertThat(resumed).extracting(r -> r.records().get(0)).containsExactly("r3", "r4", "r5", "r6");
    assertThat(resumed).extracting(RecordBatch::rowsEmittedAfter).containsExactly(4L, 5L, 6L, 7L);
    assertThat(fresh).extracting(r -> r.records().get(0)).hasSize(7).startsWith("r0", "r1");
  }
}
