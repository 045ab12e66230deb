package io.mlobj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.Shard;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.FixedShapeTensorVector;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code mlobj show} and {@code mlobj schema} against the embedded S3 server. */
class ShowSchemaITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension static final IsolatedHome HOME = new IsolatedHome();

  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.nullable("split", ArrowType.Utf8.INSTANCE),
              FixedShapeTensorType.field(
                  "image", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), 2, 2)));

  private static CliRunner cli;
  private static String uri;

  /** v1 create; v2: ids 0-9 (split train for even, val for odd; image i*4..i*4+3); tag "ten". */
  @BeforeAll
  static void createDataset() {
    cli = new CliRunner(S3.conf());
    uri = S3.newDatasetUri();
    Dataset dataset = Dataset.create(uri, S3.conf(), SCHEMA, List.of(), Map.of());
    append(dataset, 0, 10);
    dataset.tag("ten", 2, Map.of());
    append(dataset, 10, 5);
  }

  private static void append(Dataset dataset, int first, int rows) {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator)) {
      BigIntVector id = (BigIntVector) root.getVector("id");
      VarCharVector split = (VarCharVector) root.getVector("split");
      FixedSizeListVector image =
          ((FixedShapeTensorVector) root.getVector("image")).getUnderlyingVector();
      Float4Vector values = (Float4Vector) image.getDataVector();
      for (int i = 0; i < rows; i++) {
        long v = first + i;
        id.setSafe(i, v);
        split.setSafe(i, (v % 2 == 0 ? "train" : "val").getBytes());
        image.setNotNull(i);
        for (int e = 0; e < 4; e++) {
          values.setSafe(i * 4 + e, v * 4 + e);
        }
      }
      root.setRowCount(rows);
      List<Shard> shards;
      try (DatasetWriter writer = dataset.newWriter(SCHEMA).build(allocator)) {
        writer.write(root);
        shards = writer.complete();
      }
      dataset.newAppend().addShards(shards).commit();
    }
  }

  @Test
  void showPrintsATableWithTensorsSummarisedByShapeAndStatistics() {
    CliRunner.Result r = cli.run("show", uri, "--limit", "3");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("id")
        .contains("split")
        .contains("image")
        .contains("tensor<float32>[2,2] min/mean/max 0/1.5/3")
        .contains("3 rows of " + uri + " at version 3 (--limit 3 reached)");
  }

  @Test
  void whereAndColumnsSelectRowsThroughTheKernelPredicates() {
    JsonNode rows =
        cli.run(
                "show",
                uri,
                "--columns",
                "id,image",
                "--where",
                "split = 'val' and id >= 3 and id in (3, 5, 11, 12)",
                "--json")
            .json();
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).get("id").asLong()).isEqualTo(3);
    assertThat(rows.get(2).get("id").asLong()).isEqualTo(11);
    assertThat(rows.get(0).has("split")).isFalse();
    JsonNode image = rows.get(0).get("image");
    assertThat(image.get("type").asText()).isEqualTo("tensor<float32>[2,2]");
    assertThat(image.get("min").asDouble()).isEqualTo(12.0);
    assertThat(image.get("max").asDouble()).isEqualTo(15.0);
    assertThat(image.get("mean").asDouble()).isEqualTo(13.5);
  }

  @Test
  void versionAndTagSuffixesReadOlderVersions() {
    assertThat(cli.run("show", uri + "@ten", "--json", "--limit", "100").json()).hasSize(10);
    assertThat(cli.run("show", uri + "@v2", "--json", "--limit", "100").json()).hasSize(10);
    assertThat(cli.run("show", uri + "@3", "--json", "--limit", "100").json()).hasSize(15);
    assertThat(cli.run("show", uri + "@1", "--json").json()).isEmpty();
  }

  @Test
  void csvPrintsAHeaderAndOneLinePerRow() {
    CliRunner.Result r =
        cli.run("show", uri, "--csv", "--columns", "id,split", "--where", "id < 2");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out().lines().toList()).containsExactly("id,split", "0,train", "1,val");
  }

  @Test
  void unsupportedWhereAndUnknownColumnsAreClearUsageErrors() {
    CliRunner.Result or = cli.run("show", uri, "--where", "id = 1 or id = 2");
    assertThat(or.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(or.err())
        .contains("Cannot parse --where \"id = 1 or id = 2\": unexpected 'or id = 2'")
        .contains("joined with 'and'");

    CliRunner.Result like = cli.run("show", uri, "--where", "split like 'tr%'");
    assertThat(like.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(like.err()).contains("expected an operator");

    CliRunner.Result unknown = cli.run("show", uri, "--where", "nope = 1");
    assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err())
        .contains("Cannot show column 'nope' of dataset " + uri)
        .contains("Columns: id, split, image");

    CliRunner.Result tensor = cli.run("show", uri, "--where", "image = 1");
    assertThat(tensor.err()).contains("it is a tensor");

    CliRunner.Result tag = cli.run("show", uri + "@nosuchtag");
    assertThat(tag.code()).as(tag.toString()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void schemaPrintsColumnTypesWithTensorElementTypeAndShape() {
    CliRunner.Result table = cli.run("schema", uri + "@2");
    assertThat(table.code()).as(table.toString()).isZero();
    assertThat(table.out()).contains("tensor<float32>[2,2]").contains("int64").contains("string");

    JsonNode json = cli.run("schema", uri, "--json").json();
    assertThat(json.get("version").asLong()).isEqualTo(3);
    assertThat(json.get("columns").get(2).get("type").asText()).isEqualTo("tensor<float32>[2,2]");
    assertThat(json.get("columns").get(0).get("nullable").asBoolean()).isFalse();
  }
}
