package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.ShardEncoder;
import io.mlobj.internal.arrow.ArrowIpcShardEncoder;
import io.mlobj.internal.arrow.ParquetShardEncoder;
import io.mlobj.ops.Importer;
import io.mlobj.ops.Progress;
import io.mlobj.ops.Verifier;
import io.mlobj.testcodec.ArrowStreamTestCodec;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Files written outside mlobj (plain Parquet / Arrow IPC) become shards without a rewrite. */
class ImportITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();

  private byte[] file(ShardEncoder encoder, VectorSchemaRoot batch) {
    try (encoder) {
      encoder.write(batch);
      return encoder.finish().bytes();
    }
  }

  @Test
  void plainParquetArrowAndTestCodecFilesAreAdoptedAsAVersionWithStatsAndChecksums() {
    Dataset dataset = Dataset.at(S3.newDatasetUri(), S3.conf());
    List<List<Object>> expected = new ArrayList<>();
    try (VectorSchemaRoot a = TestData.allTypesBatch(arrow.allocator(), 0, 50);
        VectorSchemaRoot b = TestData.allTypesBatch(arrow.allocator(), 50, 30);
        VectorSchemaRoot c = TestData.allTypesBatch(arrow.allocator(), 80, 20)) {
      dataset
          .store()
          .put(
              "incoming/a.parquet",
              file(new ParquetShardEncoder(a.getSchema(), "zstd", 1 << 20, 1 << 16), a),
              Map.of());
      dataset
          .store()
          .put(
              "incoming/b.arrow",
              file(new ArrowIpcShardEncoder(b.getSchema(), "none", arrow.allocator(), 1 << 16), b),
              Map.of());
      dataset
          .store()
          .put(
              "incoming/c.arrows",
              file(
                  new ArrowStreamTestCodec()
                      .newEncoder(c.getSchema(), null, 1 << 20, arrow.allocator(), 1 << 16),
                  c),
              Map.of());
      expected.addAll(TestData.rows(a));
      expected.addAll(TestData.rows(b));
      expected.addAll(TestData.rows(c));
    }

    Snapshot imported =
        Importer.importFiles(
            dataset, List.of("incoming/a.parquet", "incoming/b.arrow", "incoming/c.arrows"));

    assertThat(imported.version()).isEqualTo(1);
    assertThat(imported.rows()).isEqualTo(100);
    assertThat(imported.schema().findField("tensor").getType())
        .isInstanceOf(FixedShapeTensorType.class);
    assertThat(imported.shards())
        .extracting(Shard::format)
        .containsExactly(ShardFormat.PARQUET, ShardFormat.ARROW, ArrowStreamTestCodec.FORMAT);
    assertThat(imported.shards().get(0).stats().get("id").max()).isEqualTo(49L);
    assertThat(Verifier.verify(imported, 2, true, Progress.NONE).ok()).isTrue();
    List<List<Object>> actual = new ArrayList<>();
    try (BatchReader reader = imported.newScan().build().open(arrow.allocator())) {
      while (reader.next()) {
        actual.addAll(TestData.rows(reader.root()));
      }
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void aMissingFileOrUnknownExtensionIsAClearErrorAndNothingIsCommitted() {
    Dataset dataset = Dataset.at(S3.newDatasetUri(), S3.conf());
    dataset.store().put("incoming/notes.txt", new byte[] {1, 2, 3}, Map.of());
    assertThatThrownBy(() -> Importer.importFiles(dataset, List.of("incoming/missing.parquet")))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("incoming/missing.parquet")
        .hasMessageContaining("an existing file under the dataset root");
    assertThatThrownBy(() -> Importer.importFiles(dataset, List.of("incoming/notes.txt")))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("a file ending with one of [.parquet, .parq, .arrow");
    assertThat(dataset.exists()).isFalse();
  }
}
