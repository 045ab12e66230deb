package io.mlobj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What {@code mlobj info} says about damaged metadata and tensor columns (issue 13, case 3). */
class ErrorTextITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension static final IsolatedHome HOME = new IsolatedHome();

  @Test
  void versionFileWithInvalidUtf8IsReportedAsSuchWithItsByteOffset() {
    String uri = S3.newDatasetUri();
    Dataset dataset = TestDatasets.create(uri, S3.conf(), 3);
    byte[] bytes = {'{', '"', 'a', (byte) 0xff, (byte) 0xfe, '"', '}'};
    dataset.store().put(LogLayout.versionKey(2), bytes, Map.of());

    CliRunner.Result r = new CliRunner(S3.conf()).run("info", uri);

    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.DAMAGED);
    assertThat(r.err()).contains("it is not valid UTF-8 at byte 3");
  }

  @Test
  void tensorColumnsShowTheirElementTypeAndShape() {
    String uri = S3.newDatasetUri();
    Field image =
        FixedShapeTensorType.field(
            "image", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), 4, 4);
    Dataset.create(uri, S3.conf(), new Schema(List.of(image)), List.of(), Map.of());

    CliRunner.Result r = new CliRunner(S3.conf()).run("info", uri, "--json");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.json().get("schema").get(0).get("type").asText())
        .isEqualTo("tensor<float32>[4,4]");
    assertThat(new CliRunner(S3.conf()).run("info", uri).out()).contains("tensor<float32>[4,4]");
  }

  @Test
  void infoNamesColumnTypesAsSchemaAndShowDo() {
    String uri = S3.newDatasetUri();
    Schema schema =
        new Schema(
            List.of(
                Field.notNullable("id", new ArrowType.Int(64, true)),
                Field.nullable("score", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                Field.nullable("caption", new ArrowType.Utf8())));
    Dataset.create(uri, S3.conf(), schema, List.of(), Map.of());

    CliRunner.Result r = new CliRunner(S3.conf()).run("info", uri, "--json");

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.json().get("schema").findValuesAsText("type"))
        .containsExactly("int64", "float64", "string");
    assertThat(new CliRunner(S3.conf()).run("info", uri).out())
        .contains("int64")
        .doesNotContain("Int(64");
  }

  @Test
  void infoReportsAMissingManifestInsteadOfSucceeding() {
    String uri = S3.newDatasetUri();
    Dataset dataset = TestDatasets.create(uri, S3.conf(), 10);
    String manifest = dataset.latest().manifests().get(0).path();
    dataset.store().delete(manifest);

    CliRunner.Result r = new CliRunner(S3.conf()).run("info", uri);

    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.DAMAGED);
    assertThat(r.err())
        .contains("Cannot read manifest " + dataset.store().uri(manifest))
        .contains("at version 2")
        .contains("does not exist");
  }
}
