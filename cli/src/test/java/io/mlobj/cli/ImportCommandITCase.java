package io.mlobj.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.testing.EmbeddedS3Extension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code mlobj import} against the embedded S3 server, with Parquet written by pyarrow (skipped
 * when python3 with pyarrow is missing) and by the kernel's writer.
 */
class ImportCommandITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension static final IsolatedHome HOME = new IsolatedHome();

  private static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.nullable("id", new ArrowType.Int(64, true)),
              Field.nullable("label", new ArrowType.Int(64, true))));

  private static CliRunner cli;

  @BeforeAll
  static void isolateConfig() {
    cli = new CliRunner(S3.conf());
  }

  @Test
  void importsPyarrowAndKernelParquetUnderAPrefixAsOneVersionAfterADryRun() throws Exception {
    String uri = S3.newDatasetUri();
    Dataset dataset = Dataset.at(uri, S3.conf());
    dataset.store().put("incoming/a-kernel.parquet", kernelParquet(SCHEMA, 0, 20), Map.of());
    dataset.store().put("incoming/b-pyarrow.parquet", pyarrowParquet(100, 30), Map.of());
    dataset.store().put("incoming/_SUCCESS", new byte[0], Map.of());

    JsonNode dry = cli.run("import", uri, "incoming/", "--dry-run", "--json").json();
    assertThat(dry.get("dryRun").asBoolean()).isTrue();
    assertThat(dry.get("createsDataset").asBoolean()).isTrue();
    assertThat(dry.get("version").asLong()).isEqualTo(1);
    assertThat(dry.get("rows").asLong()).isEqualTo(50);
    assertThat(dry.get("files")).hasSize(2);
    assertThat(dataset.exists()).as("a dry run commits nothing").isFalse();

    CliRunner.Result done = cli.run("import", uri, uri + "/incoming");
    assertThat(done.code()).as(done.toString()).isZero();
    assertThat(done.out())
        .contains("incoming/a-kernel.parquet")
        .contains("incoming/b-pyarrow.parquet")
        .contains("Imported 2 files (50 rows")
        .contains("as version 1, creating the dataset.");
    assertThat(Dataset.open(uri, S3.conf()).latest().rows()).isEqualTo(50);

    JsonNode rows = cli.run("show", uri, "--where", "id >= 128", "--json").json();
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).get("label").asLong()).isEqualTo(128 % 10);
    assertThat(cli.run("verify", uri).code()).isZero();
  }

  @Test
  void appendsToAnExistingDatasetAndRefusesFilesItAlreadyHas() {
    String uri = S3.newDatasetUri();
    Dataset dataset = Dataset.create(uri, S3.conf(), SCHEMA, List.of(), Map.of());
    dataset.store().put("incoming/more.parquet", kernelParquet(SCHEMA, 0, 10), Map.of());

    CliRunner.Result first =
        cli.run("import", uri, "incoming/more.parquet", "--json", "--progress");
    assertThat(first.err()).as("progress bar on stderr").contains("import [").contains("1/1 files");
    JsonNode json = first.json();
    assertThat(json.get("createsDataset").asBoolean()).isFalse();
    assertThat(json.get("version").asLong()).isEqualTo(2);

    CliRunner.Result again = cli.run("import", uri, "incoming/more.parquet");
    assertThat(again.code()).as(again.toString()).isEqualTo(ExitCodes.ALREADY_EXISTS);
    assertThat(again.err())
        .contains("Cannot import file " + uri + "/incoming/more.parquet into dataset " + uri)
        .contains("already a shard of version 2");
    assertThat(dataset.latestVersion()).isEqualTo(2);
  }

  @Test
  void aFileWhoseSchemaDoesNotMatchTheDatasetIsRefusedAndNothingIsCommitted() {
    String uri = S3.newDatasetUri();
    Dataset dataset = Dataset.create(uri, S3.conf(), SCHEMA, List.of(), Map.of());
    Schema other =
        new Schema(
            List.of(
                Field.nullable("id", ArrowType.Utf8.INSTANCE),
                Field.nullable("label", new ArrowType.Int(64, true))));
    dataset.store().put("incoming/text-ids.parquet", kernelParquet(other, 0, 5), Map.of());

    for (String dryRun : List.of("--dry-run", "--no-progress")) {
      CliRunner.Result r = cli.run("import", uri, "incoming/text-ids.parquet", dryRun);
      assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(r.err())
          .contains("Cannot import file " + uri + "/incoming/text-ids.parquet into dataset " + uri)
          .contains("its schema does not match")
          .contains("column 'id'");
    }
    assertThat(dataset.latestVersion()).isEqualTo(1);
  }

  @Test
  void missingFilesEmptyPrefixesAndFilesOutsideTheRootAreClearErrors() {
    String uri = S3.newDatasetUri();
    CliRunner.Result missing = cli.run("import", uri, "incoming/missing.parquet");
    assertThat(missing.code()).as(missing.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err())
        .contains(uri + "/incoming/missing.parquet")
        .contains("an existing file under the dataset root");

    CliRunner.Result empty = cli.run("import", uri, "nothing-here/");
    assertThat(empty.code()).as(empty.toString()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(empty.err()).contains("no .parquet, .arrow, .feather or .ipc file");

    CliRunner.Result outside = cli.run("import", uri, "s3a://elsewhere/x.parquet");
    assertThat(outside.code()).as(outside.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(outside.err()).contains("it is not under the dataset root");
    assertThat(Dataset.at(uri, S3.conf()).exists()).isFalse();
  }

  /** A Parquet file from the kernel's shard writer: ids from {@code first}, label id % 10. */
  private static byte[] kernelParquet(Schema schema, long first, int rows) {
    Dataset scratch = Dataset.create(S3.newDatasetUri(), S3.conf(), schema, List.of(), Map.of());
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      for (int i = 0; i < rows; i++) {
        long id = first + i;
        if (root.getVector("id") instanceof BigIntVector v) {
          v.setSafe(i, id);
        } else {
          ((VarCharVector) root.getVector("id")).setSafe(i, String.valueOf(id).getBytes());
        }
        ((BigIntVector) root.getVector("label")).setSafe(i, id % 10);
      }
      root.setRowCount(rows);
      List<Shard> shards;
      try (DatasetWriter writer =
          scratch.newWriter(schema).format(ShardFormat.PARQUET).build(allocator)) {
        writer.write(root);
        shards = writer.complete();
      }
      return scratch.store().read(shards.get(0).path());
    }
  }

  /**
   * A Parquet file written by pyarrow (row groups of 10): ids from {@code first}, label id % 10.
   */
  private static byte[] pyarrowParquet(long first, int rows)
      throws IOException, InterruptedException {
    String python = System.getenv().getOrDefault("MLOBJ_PYTHON", "python3");
    Path file = HOME.path().resolve("pyarrow-" + first + ".parquet");
    String script =
        "import sys, pyarrow as pa, pyarrow.parquet as pq\n"
            + "first, rows = int(sys.argv[2]), int(sys.argv[3])\n"
            + "ids = list(range(first, first + rows))\n"
            + "t = pa.table({'id': pa.array(ids, pa.int64()),"
            + " 'label': pa.array([i % 10 for i in ids], pa.int64())})\n"
            + "pq.write_table(t, sys.argv[1], row_group_size=10)\n";
    Process p;
    try {
      p =
          new ProcessBuilder(
                  python,
                  "-c",
                  script,
                  file.toString(),
                  String.valueOf(first),
                  String.valueOf(rows))
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      assumeTrue(false, python + " is not installed: " + e.getMessage());
      throw e;
    }
    String log = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assumeTrue(
        p.exitValue() == 0 || !log.contains("No module named 'pyarrow'"),
        "pyarrow is not installed: pip install pyarrow");
    assertThat(p.exitValue()).as(log).isZero();
    return Files.readAllBytes(file);
  }
}
