package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.FixedShapeTensorVector;
import io.mlobj.internal.arrow.ByteArrayInputFile;
import io.mlobj.internal.format.ManifestRef;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The facts docs/FORMAT.md states for an independent reader (issue 13, case 7), checked against
 * what the writer stores.
 */
class FormatSpecITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static final Field IMAGE =
      FixedShapeTensorType.field(
          "image", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), 2, 2);
  private static final Schema SCHEMA =
      new Schema(List.of(IMAGE, Field.notNullable("split", ArrowType.Utf8.INSTANCE)));

  /** One append, one row per split value, all in one manifest. */
  private static void append(Dataset dataset, String... splits) {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
      root.allocateNew();
      FixedSizeListVector image =
          ((FixedShapeTensorVector) root.getVector("image")).getUnderlyingVector();
      for (int i = 0; i < splits.length; i++) {
        int base = image.startNewValue(i);
        for (int k = 0; k < 4; k++) {
          ((Float4Vector) image.getDataVector()).setSafe(base + k, i + k);
        }
        ((VarCharVector) root.getVector("split")).setSafe(i, splits[i].getBytes());
      }
      root.setRowCount(splits.length);
      try (DatasetWriter writer =
          dataset.newWriter(SCHEMA).partitionBy(List.of("split")).build(allocator)) {
        writer.write(root);
        dataset.newAppend().addShards(writer).commit();
      }
    }
  }

  @Test
  void shardsHoldPartitionColumnsAndOptionalTensorElementsWhileTheArrowElementIsNotNullable()
      throws Exception {
    Dataset dataset =
        Dataset.create(S3.newDatasetUri(), S3.conf(), SCHEMA, List.of("split"), Map.of());
    append(dataset, "train");
    Shard shard = dataset.latest().shards().get(0);

    MessageType parquet;
    try (ParquetFileReader reader =
        ParquetFileReader.open(new ByteArrayInputFile(dataset.readShardBytes(2, shard, true)))) {
      parquet = reader.getFooter().getFileMetaData().getSchema();
    }
    assertThat(parquet.containsField("split")).as(parquet.toString()).isTrue();
    GroupType list = parquet.getType("image").asGroupType().getType(0).asGroupType();
    assertThat(list.getType(0).getRepetition()).isEqualTo(Type.Repetition.OPTIONAL);
    Field image = dataset.latest().schema().findField("image");
    assertThat(image.getChildren().get(0).isNullable()).isFalse();
  }

  @Test
  void rewrittenManifestsAreNamedByVersionAndARollbackReportsItsNetChange() {
    Dataset dataset =
        Dataset.create(S3.newDatasetUri(), S3.conf(), SCHEMA, List.of("split"), Map.of());
    append(dataset, "train", "test"); // v2: one manifest, two shards
    dataset.newDelete(Predicates.eq("split", "test")).commit(); // v3 rewrites that manifest

    ManifestRef rewritten = dataset.version(3).manifests().get(0);
    assertThat(rewritten.path()).matches("_mlobj/manifests/[0-9a-f-]{36}-v3-m1\\.json");
    assertThat(rewritten.addedVersion()).isEqualTo(2);

    Snapshot rolledBack = dataset.rollback(2); // v4
    assertThat(rolledBack.manifests()).extracting(ManifestRef::addedVersion).doesNotContain(4L);
    assertThat(rolledBack.summary().shardsAdded()).isEqualTo(1);
    assertThat(rolledBack.summary().shardsRemoved()).isZero();
  }
}
