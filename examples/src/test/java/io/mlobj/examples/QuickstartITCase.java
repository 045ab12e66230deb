package io.mlobj.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Lineage;
import io.mlobj.Snapshot;
import io.mlobj.registry.QueryHit;
import io.mlobj.s3server.EmbeddedS3;
import org.junit.jupiter.api.Test;

/** The README's first command, at a small size: every stage runs and leaves what it should. */
class QuickstartITCase {
  @Test
  void theWholePipelineRunsAndTheQueryFindsTheTestedCheckpoint() throws Exception {
    try (EmbeddedS3 s3 = EmbeddedS3.builder().build().start().createBucket(Quickstart.BUCKET)) {
      Quickstart.Outcome outcome =
          Quickstart.run(new Quickstart.Settings(1200, 300, null, true), s3);

      Snapshot tested = outcome.tested();
      assertThat(tested.rows()).isEqualTo(1500);
      assertThat(tested.dataset().findTag("tested").orElseThrow().version())
          .isEqualTo(tested.version());
      assertThat(tested.dataset().version(1).summary().engine()).startsWith("spark-");
      assertThat(tested.dataset().version(1).summary().properties().get(Lineage.SOURCES))
          .isEqualTo("s3a://quickstart/raw/images@v1");
      assertThat(tested.summary().engine()).startsWith("flink-");

      assertThat(outcome.checkpoint().lineage()).containsExactly(Lineage.ref(tested));
      assertThat(outcome.checkpoint().tags()).contains("tested");
      assertThat(outcome.hits())
          .extracting(QueryHit::ref)
          .containsExactly(outcome.checkpoint().ref());
    }
  }
}
