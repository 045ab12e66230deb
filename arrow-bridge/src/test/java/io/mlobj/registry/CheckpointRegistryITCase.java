package io.mlobj.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.Dataset;
import io.mlobj.Lineage;
import io.mlobj.MlobjException;
import io.mlobj.testing.EmbeddedS3Extension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CheckpointRegistryITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static final Schema SCHEMA =
      new Schema(List.of(Field.notNullable("id", new ArrowType.Int(64, true))));

  private CheckpointRegistry registry;

  @BeforeEach
  void open() {
    registry =
        CheckpointRegistry.open(
            "s3a://" + EmbeddedS3Extension.BUCKET + "/registry-" + UUID.randomUUID(), S3.conf());
  }

  @AfterEach
  void close() {
    registry.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putNumbersVersionsPerModelAndGetReturnsVerifiedContent() {
    Checkpoint first =
        registry.put(
            "resnet",
            bytes("weights-1"),
            Map.of("loss", "0.9", "framework", "pytorch"),
            List.of("s3a://b/images@v3"));
    Checkpoint second =
        registry.put("resnet", bytes("weights-2"), Map.of("loss", "0.4"), List.of());
    Checkpoint other = registry.put("bert", bytes("b"), Map.of(), List.of());

    assertThat(first.version()).isEqualTo(1);
    assertThat(second.version()).isEqualTo(2);
    assertThat(other.version()).isEqualTo(1);
    Checkpoint read = registry.get("resnet", 1).orElseThrow();
    assertThat(read.metadata()).containsEntry("framework", "pytorch");
    assertThat(read.lineage()).containsExactly("s3a://b/images@v3");
    assertThat(new String(registry.content(read), StandardCharsets.UTF_8)).isEqualTo("weights-1");
    assertThat(registry.list("resnet")).extracting(Checkpoint::version).containsExactly(1L, 2L);
    assertThat(registry.models()).containsExactly("bert", "resnet");
    assertThat(registry.get("resnet", 3)).isEmpty();
    assertThat(registry.latest("resnet").version()).isEqualTo(2);
  }

  @Test
  void concurrentPutsGetDistinctVersions() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Checkpoint>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        byte[] content = bytes("w" + i);
        futures.add(pool.submit(() -> registry.put("race", content, Map.of(), List.of())));
      }
      List<Long> versions = new ArrayList<>();
      for (Future<Checkpoint> f : futures) {
        versions.add(f.get().version());
      }
      assertThat(versions).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentAliasMovesAllLandInTheHistory() throws Exception {
    for (int i = 1; i <= 4; i++) {
      registry.put("m", bytes("w" + i), Map.of(), List.of());
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<AliasEntry>> futures = new ArrayList<>();
      for (long v = 1; v <= 4; v++) {
        long version = v;
        futures.add(pool.submit(() -> registry.setAlias("m", "serving", version)));
      }
      for (Future<AliasEntry> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    List<AliasEntry> history = registry.aliasHistory("m", "serving");
    assertThat(history).extracting(AliasEntry::sequence).containsExactly(1L, 2L, 3L, 4L);
    assertThat(history).extracting(AliasEntry::version).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
    assertThat(registry.alias("m", "serving").version())
        .isEqualTo(history.get(history.size() - 1).version());
  }

  @Test
  void damagedContentFailsTheChecksum() {
    Checkpoint c = registry.put("m", bytes("good weights"), Map.of(), List.of());
    registry.store().put(c.contentKey(), bytes("bad weights!"), Map.of());

    assertThatThrownBy(() -> registry.content(c))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("CRC32C mismatch")
        .satisfies(
            e -> assertThat(((MlobjException) e).kind()).isEqualTo(MlobjException.Kind.CORRUPT));
  }

  @Test
  void aliasRollbackUndoesAssignmentsInOrder() {
    for (int i = 1; i <= 3; i++) {
      registry.put("m", bytes("w" + i), Map.of(), List.of());
    }
    registry.setAlias("m", "serving", 1);
    registry.setAlias("m", "serving", 2);
    registry.setAlias("m", "serving", 3);
    assertThat(registry.alias("m", "serving").version()).isEqualTo(3);

    assertThat(registry.rollbackAlias("m", "serving").version()).isEqualTo(2);
    assertThat(registry.rollbackAlias("m", "serving").version()).isEqualTo(1);
    assertThat(registry.alias("m", "serving").version()).isEqualTo(1);
    assertThatThrownBy(() -> registry.rollbackAlias("m", "serving"))
        .hasMessageContaining("it has no earlier target");
    assertThat(registry.aliasHistory("m", "serving"))
        .extracting(AliasEntry::action)
        .containsExactly("set", "set", "set", "rollback", "rollback");
    assertThat(registry.aliases("m")).containsEntry("serving", 1L);
  }

  @Test
  void unknownAliasAndVersionAreNotFound() {
    registry.put("m", bytes("w"), Map.of(), List.of());
    assertThatThrownBy(() -> registry.alias("m", "serving"))
        .hasMessageContaining("Cannot resolve alias 'serving' of model 'm'");
    assertThatThrownBy(() -> registry.setAlias("m", "serving", 7))
        .hasMessageContaining("Cannot find checkpoint m@v7");
    assertThatThrownBy(() -> registry.put("m", bytes("w"), Map.of(), List.of("no-version")))
        .hasMessageContaining("Cannot record lineage 'no-version'");
    assertThatThrownBy(() -> registry.put("bad name", bytes("w"), Map.of(), List.of()))
        .hasMessageContaining("Cannot use model name 'bad name'");
  }

  @Test
  void queryFindsTestedCheckpointsTrainedOnADatasetVersion() {
    String x = S3.newDatasetUri();
    registry.put("a", bytes("1"), Map.of("framework", "torch", "loss", "0.5"), List.of(x + "@v3"));
    registry.put("a", bytes("2"), Map.of("framework", "torch", "loss", "0.2"), List.of(x + "@v3"));
    registry.put("b", bytes("3"), Map.of("framework", "jax", "loss", "0.1"), List.of(x + "@v2"));
    registry.tag("a", 2, "tested");
    registry.tag("b", 1, "tested");

    assertThat(refs(registry.query().checkpoints().tag("tested").trainedOn(x, 3).run()))
        .containsExactly("a@v2");
    assertThat(refs(registry.query().trainedOn(x, 0).run()))
        .containsExactly("a@v1", "a@v2", "b@v1");
    assertThat(refs(registry.query().where("framework=torch").where("loss<0.3").run()))
        .containsExactly("a@v2");
    assertThat(refs(registry.query().where("loss>=0.2").run())).containsExactly("a@v1", "a@v2");
    assertThat(refs(registry.query().model("b").run())).containsExactly("b@v1");

    assertThat(
            refs(
                registry
                    .query()
                    .parse("checkpoints tagged tested that were trained on " + x + " at version 3")
                    .run()))
        .containsExactly("a@v2");
    assertThat(refs(registry.query().parse("model a framework=torch loss>0.3").run()))
        .containsExactly("a@v1");
    assertThat(refs(registry.query().parse("checkpoints trained-on " + x + "@v2").run()))
        .containsExactly("b@v1");
    assertThatThrownBy(() -> registry.query().parse("checkpoints frobnicated x"))
        .hasMessageContaining("unknown word 'frobnicated'");

    registry.untag("a", 2, "tested");
    assertThat(refs(registry.query().tag("tested").run())).containsExactly("b@v1");
  }

  @Test
  void lineageWalksUpFromACheckpointAndDownFromADatasetVersion() {
    String raw = S3.newDatasetUri();
    String clean = S3.newDatasetUri();
    Dataset.create(raw, S3.conf(), SCHEMA, List.of(), Map.of());
    Dataset cleanDs = Dataset.create(clean, S3.conf(), SCHEMA, List.of(), Map.of());
    cleanDs
        .newAppend()
        .summary(Lineage.SOURCES, Lineage.ref(raw, 1))
        .summary(Lineage.JOB, "spark-app-7")
        .commit(); // clean@v2 derived from raw@v1
    cleanDs.tag("tested", 2, Map.of());
    // Storing the checkpoint registers its input dataset (and that dataset's tags) in the index.
    registry.put("m", bytes("w"), Map.of(), List.of(Lineage.ref(clean, 2)));
    assertThat(registry.datasets()).containsExactly(clean);

    LineageNode up = registry.lineage().upstream("m", 10);
    assertThat(up.ref()).isEqualTo("m@v1");
    assertThat(up.children()).extracting(LineageNode::ref).containsExactly(clean + "@v2");
    assertThat(up.children().get(0).job()).isEqualTo("spark-app-7");
    assertThat(up.children().get(0).children())
        .extracting(LineageNode::ref)
        .containsExactly(raw + "@v1");

    LineageNode down = registry.lineage().downstream(raw + "@v1", 10);
    assertThat(down.children()).extracting(LineageNode::ref).containsExactly(clean + "@v2");
    assertThat(down.children().get(0).children())
        .extracting(LineageNode::ref)
        .containsExactly("m@v1");

    assertThat(refs(registry.query().datasets().tag("tested").run()))
        .containsExactly(clean + "@v2");
    assertThat(refs(registry.query().datasets().trainedOn(raw, 1).run()))
        .containsExactly(clean + "@v2");
    // A moved tag is re-checked against the dataset, not trusted from the index.
    cleanDs.tag("tested", 1, Map.of(), true);
    assertThat(registry.query().datasets().tag("tested").run()).isEmpty();
  }

  private static List<String> refs(List<QueryHit> hits) {
    return hits.stream().map(QueryHit::ref).toList();
  }
}
