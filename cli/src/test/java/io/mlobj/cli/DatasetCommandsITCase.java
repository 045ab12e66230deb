package io.mlobj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.Dataset;
import io.mlobj.Shard;
import io.mlobj.testcodec.ArrowStreamTestCodec;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DatasetCommandsITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension static final IsolatedHome HOME = new IsolatedHome();

  private CliRunner cli;
  private String uri;
  private Dataset dataset;

  @BeforeEach
  void createDataset() {
    cli = new CliRunner(S3.conf());
    uri = S3.newDatasetUri();
    dataset = TestDatasets.create(uri, S3.conf(), 100, 50); // v1 create, v2 +100, v3 +50
  }

  @Test
  void lsFindsTheDatasetUnderItsBucket() {
    CliRunner.Result table = cli.run("ls", "s3a://" + S3.bucket());
    assertThat(table.code()).as(table.toString()).isZero();
    assertThat(table.out()).contains(uri).contains("VERSION");

    CliRunner.Result json = cli.run("ls", uri, "--json");
    assertThat(json.json().get(0).get("uri").asText()).isEqualTo(uri);
    assertThat(json.json().get(0).get("rows").asLong()).isEqualTo(150);
  }

  @Test
  void infoShowsSchemaSizeVersionsAndProperties() {
    dataset.setProperties(Map.of("owner", "vision-team"));
    CliRunner.Result table = cli.run("info", uri);
    assertThat(table.code()).as(table.toString()).isZero();
    assertThat(table.out()).contains("150 rows").contains("id").contains("owner");

    JsonNode json = cli.run("info", uri, "--version", "2", "--json").json();
    assertThat(json.get("version").asLong()).isEqualTo(2);
    assertThat(json.get("latestVersion").asLong()).isEqualTo(4);
    assertThat(json.get("rows").asLong()).isEqualTo(100);
    assertThat(json.get("schema").get(0).get("name").asText()).isEqualTo("id");
  }

  @Test
  void historyListsVersionsNewestFirst() {
    JsonNode json = cli.run("history", uri, "--json").json();
    assertThat(json).hasSize(3);
    assertThat(json.get(0).get("version").asLong()).isEqualTo(3);
    assertThat(json.get(0).get("rowsAdded").asLong()).isEqualTo(50);
    assertThat(cli.run("history", uri).out()).contains("append").contains("create");
  }

  @Test
  void diffCountsShardsAndRowsAddedAndRemoved() {
    dataset.rollback(2); // v4 = v2: the 50-row shard is removed
    JsonNode forward = cli.run("diff", uri, "1", "3", "--json").json();
    assertThat(forward.get("shardsAdded").asInt()).isEqualTo(2);
    assertThat(forward.get("rowsAdded").asLong()).isEqualTo(150);
    assertThat(forward.get("shardsRemoved").asInt()).isZero();

    JsonNode back = cli.run("diff", uri, "3", "4", "--json").json();
    assertThat(back.get("rowsRemoved").asLong()).isEqualTo(50);
    assertThat(back.get("shardsRemoved").asInt()).isEqualTo(1);
    assertThat(cli.run("diff", uri, "v3", "v4").out()).contains("-1 shards (-50 rows");
  }

  @Test
  void tagCreateListDeleteAndForce() {
    CliRunner.Result created = cli.run("tag", "create", uri, "tested", "--version", "2");
    assertThat(created.code()).as(created.toString()).isZero();

    CliRunner.Result again = cli.run("tag", "create", uri, "tested");
    assertThat(again.code()).isEqualTo(ExitCodes.ALREADY_EXISTS);
    assertThat(again.err()).contains("already points to version 2").doesNotContain("\tat ");
    assertThat(again.err().strip().lines()).hasSize(1);

    assertThat(cli.run("tag", "create", uri, "tested", "--force").code()).isZero();
    JsonNode tags = cli.run("tag", "list", uri, "--json").json();
    assertThat(tags.get(0).get("version").asLong()).isEqualTo(3);

    assertThat(cli.run("tag", "delete", uri, "tested").code()).isZero();
    assertThat(cli.run("tag", "list", uri, "--json").json()).isEmpty();
    assertThat(cli.run("tag", "delete", uri, "tested").code()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void rollbackCommitsTheOldDataAsANewVersion() {
    CliRunner.Result result = cli.run("rollback", uri, "2", "--json");
    assertThat(result.code()).as(result.toString()).isZero();
    assertThat(result.json().get("version").asLong()).isEqualTo(4);
    assertThat(Dataset.open(uri, S3.conf()).latest().rows()).isEqualTo(100);
  }

  @Test
  void metaSetsPropertiesAndKeepsSummariesReadOnly() {
    TestDatasets.append(dataset, 1000, 10, Map.of("lineage.job", "spark-42"));
    assertThat(cli.run("meta", "set", uri, "owner=vision", "license=cc-by").code()).isZero();
    assertThat(cli.run("meta", "get", uri, "owner").out().strip()).isEqualTo("vision");
    JsonNode all = cli.run("meta", "get", uri, "--json").json();
    assertThat(all.get("properties").get("license").asText()).isEqualTo("cc-by");
    assertThat(
            cli.run("meta", "get", uri, "--version", "4", "--json")
                .json()
                .get("summary")
                .get("lineage.job")
                .asText())
        .isEqualTo("spark-42");

    CliRunner.Result readOnly = cli.run("meta", "set", uri, "lineage.job=other");
    assertThat(readOnly.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(readOnly.err()).contains("read-only");
    assertThat(cli.run("meta", "get", uri, "nope").code()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void verifyPassesThenFailsWhenAShardByteIsFlipped() {
    CliRunner.Result ok = cli.run("verify", uri, "--progress");
    assertThat(ok.code()).as(ok.toString()).isZero();
    assertThat(ok.out()).contains("OK").contains("2 shards");
    assertThat(ok.err()).contains("ETA").contains("/s");

    Shard shard = dataset.latest().shards().get(0);
    byte[] bytes = dataset.store().read(shard.path());
    bytes[bytes.length / 2] ^= 0x01;
    dataset.store().put(shard.path(), bytes, Map.of()); // through the S3 API

    CliRunner.Result damaged = cli.run("verify", uri);
    assertThat(damaged.code()).isEqualTo(ExitCodes.DAMAGED);
    assertThat(damaged.err())
        .contains("CRC32C mismatch")
        .contains(shard.path())
        .doesNotContain("\tat ");
    assertThat(damaged.out()).contains("DAMAGED");
    JsonNode json = cli.run("verify", uri, "--json").json();
    assertThat(json.get("ok").asBoolean()).isFalse();
    assertThat(json.get("problems").get(0).get("kind").asText()).isEqualTo("CHECKSUM_MISMATCH");
    assertThat(cli.run("verify", uri, "--version", "1").code()).isZero();

    Shard other = dataset.latest().shards().get(1);
    dataset.store().delete(other.path());
    JsonNode both = cli.run("verify", uri, "--json").json();
    assertThat(both.get("problems")).hasSize(2);
    assertThat(both.get("problems").findValuesAsText("kind"))
        .containsExactlyInAnyOrder("CHECKSUM_MISMATCH", "MISSING");
  }

  @Test
  void verifyDecodesShardsOfAFormatFromACodecOnTheClassPath() {
    String streamUri = S3.newDatasetUri();
    Dataset streams =
        Dataset.create(streamUri, S3.conf(), TestDatasets.SCHEMA, java.util.List.of(), Map.of());
    try (org.apache.arrow.memory.BufferAllocator allocator =
            new org.apache.arrow.memory.RootAllocator();
        org.apache.arrow.vector.VectorSchemaRoot root =
            org.apache.arrow.vector.VectorSchemaRoot.create(TestDatasets.SCHEMA, allocator)) {
      org.apache.arrow.vector.BigIntVector id =
          (org.apache.arrow.vector.BigIntVector) root.getVector("id");
      id.allocateNew(10);
      for (int i = 0; i < 10; i++) {
        id.set(i, i);
      }
      root.setRowCount(10);
      try (io.mlobj.DatasetWriter writer =
          streams
              .newWriter(TestDatasets.SCHEMA)
              .options(Map.of("format", ArrowStreamTestCodec.ID))
              .build(allocator)) {
        writer.write(root);
        streams.newAppend().addShards(writer.complete()).commit();
      }
    }
    CliRunner.Result ok = cli.run("verify", streamUri, "--decode");
    assertThat(ok.code()).as(ok.toString()).isZero();
    assertThat(ok.out()).contains("OK").contains("1 shards");
    CliRunner.Result info = cli.run("info", streamUri);
    assertThat(info.out()).contains("10 rows");
  }

  @Test
  void anUnknownMlobjSettingIsAUsageErrorNamingTheNearestSetting() {
    CliRunner.Result typo = cli.run("info", uri, "-c=mlobj.io.part-sise=1m");
    assertThat(typo.code()).as(typo.toString()).isNotZero();
    assertThat(typo.err()).contains("mlobj.io.part-sise").contains("mlobj.io.part-size");
  }

  /** {@code mlobj vacuum} of the dataset that keeps only the latest version, whatever its age. */
  private CliRunner.Result vacuumKeepingOnlyTheLatest(String mode) {
    return cli.run(
        "vacuum",
        uri,
        "--retain-versions",
        "1",
        "--retain-hours",
        "0",
        "--safety-window-hours",
        "0",
        mode);
  }

  @Test
  void vacuumIsADryRunUnlessExecuted() {
    dataset.newOverwrite().commit(); // v4: no shards; v2/v3's shards become unreferenced
    CliRunner.Result dry = vacuumKeepingOnlyTheLatest("--json");
    assertThat(dry.code()).as(dry.toString()).isZero();
    JsonNode report = dry.json();
    assertThat(report.get("dryRun").asBoolean()).isTrue();
    assertThat(report.get("deleted").size()).isGreaterThanOrEqualTo(2);
    String first = report.get("deleted").get(0).asText();
    assertThat(dataset.store().head(first)).isPresent();

    CliRunner.Result real = vacuumKeepingOnlyTheLatest("--execute");
    assertThat(real.code()).as(real.toString()).isZero();
    assertThat(real.out()).contains("Deleted");
    assertThat(dataset.store().head(first)).isEmpty();
  }
}
