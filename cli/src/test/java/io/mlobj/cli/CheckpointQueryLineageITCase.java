package io.mlobj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.Dataset;
import io.mlobj.Lineage;
import io.mlobj.testing.EmbeddedS3Extension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class CheckpointQueryLineageITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension static final IsolatedHome HOME = new IsolatedHome();
  @TempDir Path dir;

  private CliRunner cli;
  private String registry;

  @BeforeEach
  void setUp() {
    cli = new CliRunner(S3.conf());
    registry = "s3a://" + EmbeddedS3Extension.BUCKET + "/registry-" + UUID.randomUUID();
  }

  private Path file(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  private CliRunner.Result ok(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--registry");
    all.add(registry);
    CliRunner.Result r = cli.run(all.toArray(String[]::new));
    assertThat(r.code()).as(String.join(" ", args) + "\n" + r).isZero();
    return r;
  }

  @Test
  void putGetListAliasAndRollback() throws Exception {
    Path w1 = file("w1.pt", "weights one");
    Path w2 = file("w2.pt", "weights two");
    JsonNode first =
        ok(
                "checkpoint",
                "put",
                "resnet",
                w1.toString(),
                "-m",
                "loss=0.9",
                "-m",
                "framework=pytorch",
                "--alias",
                "serving",
                "--json")
            .json();
    assertThat(first.get("version").asLong()).isEqualTo(1);
    ok("checkpoint", "put", "resnet", w2.toString(), "-m", "loss=0.3", "--tag", "tested");

    Path fetched = dir.resolve("out/serving.pt");
    ok("checkpoint", "get", "resnet:serving", "-o", fetched.toString());
    assertThat(Files.readString(fetched)).isEqualTo("weights one");

    ok("checkpoint", "alias", "resnet", "serving", "2");
    assertThat(ok("checkpoint", "get", "resnet:serving", "--json").json().get("version").asLong())
        .isEqualTo(2);
    CliRunner.Result rolled = ok("checkpoint", "alias", "resnet", "serving", "--rollback");
    assertThat(rolled.out()).contains("resnet:serving -> resnet@v1");
    assertThat(ok("checkpoint", "get", "resnet:serving", "--json").json().get("version").asLong())
        .isEqualTo(1);

    JsonNode versions = ok("checkpoint", "ls", "resnet", "--json").json();
    assertThat(versions).hasSize(2);
    assertThat(versions.get(1).get("tags").get(0).asText()).isEqualTo("tested");
    assertThat(ok("checkpoint", "ls").out()).contains("resnet").contains("serving=1");

    CliRunner.Result missing = cli.run("checkpoint", "get", "resnet@v9", "--registry", registry);
    assertThat(missing.code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(missing.err()).contains("Cannot find checkpoint resnet@v9");
    CliRunner.Result noRegistry = cli.run("checkpoint", "ls");
    assertThat(noRegistry.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noRegistry.err()).contains("--registry");
  }

  @Test
  void damagedCheckpointFailsOnGet() throws Exception {
    JsonNode c = ok("checkpoint", "put", "m", file("w.pt", "good").toString(), "--json").json();
    try (var r = io.mlobj.registry.CheckpointRegistry.open(registry, S3.conf())) {
      var checkpoint = r.require("m", c.get("version").asLong());
      r.store().put(checkpoint.contentKey(), "evil".getBytes(), Map.of());
    }
    CliRunner.Result r =
        cli.run(
            "checkpoint", "get", "m@v1", "-o", dir.resolve("x").toString(), "--registry", registry);
    assertThat(r.code()).isEqualTo(ExitCodes.DAMAGED);
    assertThat(r.err()).contains("CRC32C mismatch");
  }

  @Test
  void queryAndLineageWalkBothWays() throws Exception {
    String raw = S3.newDatasetUri();
    String clean = S3.newDatasetUri();
    TestDatasets.create(raw, S3.conf(), 20); // raw@v2
    Dataset cleanDs = TestDatasets.create(clean, S3.conf());
    TestDatasets.append(
        cleanDs, 0, 10, Map.of(Lineage.SOURCES, Lineage.ref(raw, 2), Lineage.JOB, "spark-app-1"));
    TestDatasets.append(
        cleanDs, 10, 10, Map.of(Lineage.SOURCES, Lineage.ref(raw, 2), Lineage.JOB, "flink-job-2"));
    ok("tag", "create", clean, "tested", "--version", "3");

    ok(
        "checkpoint",
        "put",
        "cnn",
        file("a", "a").toString(),
        "-l",
        clean + "@v3",
        "-m",
        "loss=0.4",
        "--tag",
        "tested");
    ok(
        "checkpoint",
        "put",
        "cnn",
        file("b", "b").toString(),
        "-l",
        clean + "@v3",
        "-m",
        "loss=0.2");
    ok(
        "checkpoint",
        "put",
        "cnn",
        file("c", "c").toString(),
        "-l",
        clean + "@v2",
        "--tag",
        "tested");

    JsonNode hits =
        ok(
                "query",
                "--type",
                "checkpoint",
                "--tag",
                "tested",
                "--trained-on",
                clean + "@v3",
                "--json")
            .json();
    assertThat(hits.get("hits")).hasSize(1);
    assertThat(hits.get("hits").get(0).get("ref").asText()).isEqualTo("cnn@v1");
    // One index listing (the 2 checkpoints trained on clean@v3); the tag is checked on those two.
    assertThat(hits.get("listCalls").asLong()).isEqualTo(1);
    assertThat(hits.get("keysListed").asLong()).isEqualTo(2);

    JsonNode sentence =
        ok(
                "query",
                "checkpoints tagged tested that were trained on " + clean + " at version 3",
                "--json")
            .json();
    assertThat(sentence.get("hits").get(0).get("ref").asText()).isEqualTo("cnn@v1");
    assertThat(sentence.get("hits")).hasSize(1);

    JsonNode lowLoss = ok("query", "--trained-on", clean, "--where", "loss<0.3", "--json").json();
    assertThat(lowLoss.get("hits").get(0).get("ref").asText()).isEqualTo("cnn@v2");

    JsonNode datasets =
        ok("query", "--type", "dataset", "--tag", "tested", "--index", clean, "--json").json();
    assertThat(datasets.get("hits").get(0).get("ref").asText()).isEqualTo(clean + "@v3");
    JsonNode derived =
        ok("query", "--type", "dataset", "--derived-from", raw + "@v2", "--json").json();
    assertThat(derived.get("hits")).hasSize(2);
    assertThat(ok("query", "--tag", "tested").out()).contains("cnn@v1").contains(clean + "@v3");

    CliRunner.Result up = ok("lineage", "cnn@v1", "--up");
    assertThat(up.out())
        .contains("dataset " + clean + "@v3")
        .contains("flink-job-2")
        .contains("dataset " + raw + "@v2");

    JsonNode down = ok("lineage", raw + "@v2", "--down", "--json").json();
    List<String> refs = new ArrayList<>();
    collect(down.get("downstream"), refs);
    assertThat(refs).contains(clean + "@v2", clean + "@v3", "cnn@v1", "cnn@v2", "cnn@v3");
    // Lost index entries come back with reindex.
    try (var r = io.mlobj.registry.CheckpointRegistry.open(registry, S3.conf())) {
      r.store().list("index/", null).forEach(i -> r.store().delete(i.key()));
    }
    assertThat(ok("query", "--tag", "tested", "--json").json().get("hits")).isEmpty();
    assertThat(ok("checkpoint", "reindex").out()).contains("Reindexed 1 models and 1 datasets");
    assertThat(ok("query", "--type", "checkpoint", "--tag", "tested", "--json").json().get("hits"))
        .hasSize(2);

    assertThat(ok("lineage", clean).out()).contains("Downstream").contains("-> checkpoint cnn@v3");
  }

  private static void collect(JsonNode node, List<String> refs) {
    refs.add(node.get("ref").asText());
    node.get("children").forEach(c -> collect(c, refs));
  }
}
