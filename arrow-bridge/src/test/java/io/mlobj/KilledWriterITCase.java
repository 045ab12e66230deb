package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.testing.EmbeddedS3Extension;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A writer process killed after uploading its shards but before committing leaves no trace. */
class KilledWriterITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();

  @Test
  void aWriterKilledBetweenUploadAndCommitLeavesTheDatasetUnchanged() throws Exception {
    String uri = S3.newDatasetUri();
    Dataset dataset = SmallRows.create(uri, S3.conf());
    SmallRows.append(dataset, arrow.allocator(), ShardFormat.ARROW, 0, 0, 10);
    Snapshot before = dataset.latest();

    ChildJvm child = ChildJvm.start(KilledWriterMain.class, List.of(uri, "1000", "50"), S3.conf());
    assertThat(child.await(60)).as(child.output()).isEqualTo(137);
    List<String> uploaded =
        child
            .output()
            .lines()
            .filter(l -> l.startsWith("UPLOADED "))
            .map(l -> l.substring("UPLOADED ".length()))
            .toList();

    assertThat(uploaded).as(child.output()).isNotEmpty();
    Dataset reread = Dataset.open(uri, S3.conf());
    for (String key : uploaded) {
      assertThat(reread.store().head(key)).as("the orphan %s was uploaded", key).isPresent();
    }
    assertThat(reread.latestVersion()).isEqualTo(before.version());
    assertThat(reread.latest().rows()).isEqualTo(10);
    assertThat(reread.latest().shards())
        .extracting(Shard::path)
        .doesNotContainAnyElementsOf(uploaded);
    assertThat(SmallRows.ids(reread.latest(), arrow.allocator()))
        .containsExactlyInAnyOrderElementsOf(LongStream.range(0, 10).boxed().toList());

    // The dataset is not blocked: the next writer commits the next version.
    Snapshot next = SmallRows.append(reread, arrow.allocator(), ShardFormat.ARROW, 1, 2000, 5);
    assertThat(next.version()).isEqualTo(before.version() + 1);
    assertThat(SmallRows.ids(next, arrow.allocator())).hasSize(15).doesNotContain(1000L);
  }
}
