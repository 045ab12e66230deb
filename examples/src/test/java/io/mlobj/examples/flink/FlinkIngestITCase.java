package io.mlobj.examples.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.Lineage;
import io.mlobj.Snapshot;
import io.mlobj.arrow.BatchReader;
import io.mlobj.examples.SyntheticImages;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ingest example appends exactly its samples to an existing dataset, over checkpoints. */
class FlinkIngestITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @Test
  void appendsEverySampleOnceToAnExistingDataset() throws Exception {
    String uri = S3.newDatasetUri();
    Snapshot before = SyntheticImages.write(uri, S3.conf(), 100, 1);

    Snapshot after =
        FlinkIngest.run(new FlinkIngest.Options(uri, S3.conf(), 600, 10_000, 300, 200, 2));

    assertThat(after.rows()).isEqualTo(before.rows() + 600);
    assertThat(after.version()).isGreaterThan(before.version());
    assertThat(after.summary().properties().get(Lineage.JOB)).contains("mlobj-flink-ingest");
    Set<Long> ids = new HashSet<>();
    try (BufferAllocator allocator = new RootAllocator();
        BatchReader reader =
            Dataset.open(uri, S3.conf())
                .latest()
                .newScan()
                .select(List.of("id"))
                .build()
                .open(allocator)) {
      while (reader.next()) {
        BigIntVector column = (BigIntVector) reader.root().getVector("id");
        for (int i = 0; i < reader.root().getRowCount(); i++) {
          assertThat(ids.add(column.get(i))).as("id %s appears once", column.get(i)).isTrue();
        }
      }
    }
    assertThat(ids).hasSize(700).contains(10_000L, 10_599L);
  }
}
