package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.arrow.BatchReader;
import io.mlobj.ops.Importer;
import io.mlobj.registry.Checkpoint;
import io.mlobj.registry.CheckpointRegistry;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.ObjectStores;
import io.mlobj.testing.EmbeddedS3Extension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The public calls that Spark, Flink, the feed and the CLI use instead of reaching into the kernel
 * (issue 14): each does what the adapter code it replaced did, against a real S3 server.
 */
class AdapterApiITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private BufferAllocator allocator;
  private Dataset dataset;

  /** Version 2: ids 0..9 (Arrow IPC); version 3: ids 10..19 (Parquet). */
  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
    dataset = SmallRows.create(S3.newDatasetUri(), S3.conf());
    SmallRows.append(dataset, allocator, ShardFormat.ARROW, 0, 0, 10);
    SmallRows.append(dataset, allocator, ShardFormat.PARQUET, 0, 10, 10);
  }

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  private static List<Long> ids(BatchReader reader) {
    List<Long> out = new ArrayList<>();
    while (reader.next()) {
      assertThat(reader.root().getSchema().getFields()).extracting(Field::getName).contains("id");
      BigIntVector ids = (BigIntVector) reader.root().getVector("id");
      for (int i = 0; i < reader.root().getRowCount(); i++) {
        out.add(ids.get(i));
      }
    }
    return out;
  }

  @Test
  void aTaskReaderOnAnotherHandleReadsTheTasksADriverPlannedWithTheirColumnsAndCounters() {
    Scan scan = dataset.latest().newScan().select("id").build();
    ScanMetrics metrics = new ScanMetrics();
    TaskReader worker =
        Dataset.at(dataset.uri(), S3.conf())
            .newTaskReader(scan.schema())
            .batchRows(3)
            .metrics(metrics)
            .build();

    List<Long> read = new ArrayList<>();
    for (ScanTask task : scan.planTasks()) {
      try (BatchReader reader = worker.open(3, task, allocator)) {
        read.addAll(ids(reader));
        assertThat(reader.root().getSchema().getFields())
            .extracting(Field::getName)
            .containsExactly("id");
      }
    }

    assertThat(read)
        .containsExactlyInAnyOrderElementsOf(SmallRows.ids(dataset.latest(), allocator));
    assertThat(read).hasSize(20);
    assertThat(metrics.shardsRead.get()).isEqualTo(2);
    assertThat(metrics.bytesRead.get()).isEqualTo(dataset.latest().bytes());
  }

  @Test
  void aTaskReaderRefusesADamagedShardNamingTheVersionAndObject() {
    Shard shard = dataset.latest().shards().get(0);
    byte[] damaged = dataset.store().read(shard.path());
    damaged[damaged.length / 2] ^= 0x40;
    dataset.store().put(shard.path(), damaged, Map.of());
    TaskReader worker = dataset.newTaskReader(SmallRows.schema()).build();

    assertThatThrownBy(() -> worker.open(3, ScanTask.whole(shard), allocator).close())
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("CRC32C mismatch")
        .hasMessageContaining("version 3")
        .hasMessageContaining(dataset.objectUri(shard.path()));
    assertThatThrownBy(() -> dataset.newTaskReader(SmallRows.schema()).batchRows(0))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("batchRows");
  }

  @Test
  void missingManifestsNamesTheManifestsAVersionReferencesThatAreGone() {
    Snapshot latest = dataset.latest();
    assertThat(latest.missingManifests()).isEmpty();
    String manifest = latest.manifests().get(0).path();

    dataset.store().delete(manifest);

    assertThat(dataset.latest().missingManifests()).containsExactly(dataset.objectUri(manifest));
  }

  @Test
  void mergeSchemaAddsNullableColumnsAndRefusesWhatACommitWouldRefuse() {
    Snapshot latest = dataset.latest();
    Field score =
        Field.nullable(
            "score",
            new ArrowType.FloatingPoint(
                org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE));
    List<Field> wider = new ArrayList<>(SmallRows.schema().getFields());
    wider.add(score);

    assertThat(latest.mergeSchema(new Schema(wider)).getFields())
        .extracting(Field::getName)
        .containsExactly("id", "writer", "score");
    Schema withoutId = new Schema(List.of(Field.nullable("writer", new ArrowType.Int(32, true))));
    assertThatThrownBy(() -> latest.mergeSchema(withoutId))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("Cannot write to dataset " + dataset.uri())
        .hasMessageContaining("'id' is NOT NULL");
  }

  @Test
  void listNamesTheDatasetsDirectlyUnderAPrefixAndDropDeletesOneWithItsLog() {
    String parent = "s3a://" + S3.bucket() + "/ns-" + UUID.randomUUID();
    MlobjConf conf = MlobjConf.of(S3.conf());
    Dataset b = SmallRows.create(parent + "/b", S3.conf());
    SmallRows.append(b, allocator, ShardFormat.PARQUET, 0, 0, 5);
    SmallRows.create(parent + "/a", S3.conf());
    try (ObjectStore store = ObjectStores.open(parent, conf)) {
      store.put("notes/readme.txt", "not a dataset".getBytes(StandardCharsets.UTF_8), Map.of());
    }

    assertThat(Dataset.list(parent, conf)).containsExactly("a", "b");

    int objects = b.store().list("", null).size();
    assertThat(b.drop()).isEqualTo(objects);
    assertThat(b.store().list("", null)).isEmpty();
    assertThat(Dataset.at(parent + "/b", S3.conf()).exists()).isFalse();
    assertThat(Dataset.list(parent, conf)).containsExactly("a");
  }

  @Test
  void findFilesListsTheImportableFilesUnderAPrefixButNotTheLog() {
    byte[] any = "x".getBytes(StandardCharsets.UTF_8);
    dataset.store().put("incoming/a.parquet", any, Map.of());
    dataset.store().put("incoming/deeper/b.FEATHER", any, Map.of());
    dataset.store().put("incoming/notes.txt", any, Map.of());

    assertThat(Importer.findFiles(dataset, "incoming/"))
        .containsExactly("incoming/a.parquet", "incoming/deeper/b.FEATHER");
    assertThat(Importer.findFiles(dataset, "")).noneMatch(k -> k.startsWith("_mlobj/"));
    assertThat(Importer.importable("x/y.ipc")).isTrue();
    assertThat(Importer.importable("x/y.csv")).isFalse();
  }

  @Test
  void contentUriIsTheFullUriOfACheckpointsModelFile() {
    String root = "s3a://" + S3.bucket() + "/registry-" + UUID.randomUUID();
    try (CheckpointRegistry registry = CheckpointRegistry.open(root, S3.conf())) {
      Checkpoint c =
          registry.put("resnet", "weights".getBytes(StandardCharsets.UTF_8), Map.of(), List.of());

      assertThat(registry.contentUri(c)).isEqualTo(root + "/" + c.contentKey());
    }
  }

  @Test
  void hadoopConfigurationIsAFreshCopyOfTheDefaultsWithTheSettings() {
    Configuration first = ObjectStores.hadoopConfiguration(Map.of("fs.s3a.endpoint", "http://x"));
    first.set("fs.s3a.endpoint", "changed");
    Configuration second = ObjectStores.hadoopConfiguration(Map.of());

    assertThat(second.get("fs.s3a.endpoint")).isNotEqualTo("changed");
    assertThat(ObjectStores.hadoopConfiguration(Map.of("a.b", "c")).get("a.b")).isEqualTo("c");
    // Hadoop's default resources are there, as with new Configuration().
    assertThat(second.get("fs.defaultFS")).isEqualTo(new Configuration().get("fs.defaultFS"));
  }
}
