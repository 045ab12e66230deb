package io.mlobj.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.Dataset;
import io.mlobj.MlobjException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The harness itself: a wrong block fails the build, a right one passes, markers are explicit. */
class DocsHarnessITCase {
  @RegisterExtension static final DocsSession DOCS = new DocsSession();

  private static DocBlock only(String markdown) {
    List<DocBlock> blocks = DocBlocks.parse("x.md", markdown);
    assertThat(blocks).hasSize(1);
    return blocks.get(0);
  }

  @Test
  void correctJavaAndCliBlocksPassAgainstTheSeededExampleDataset() throws Exception {
    DocBlock java =
        only(
            "Read it:\n\n```java\n"
                + "Dataset ds = Dataset.open(\"s3a://training/images\", conf);\n"
                + "Scan scan = ds.version(3).newScan().select(\"id\").build();\n"
                + "try (BatchReader r = scan.open(allocator)) { while (r.next()) consume(r.root()); }\n"
                + "if (consumed != 32) throw new IllegalStateException(\"rows: \" + consumed);\n"
                + "```\n");
    assertThat(DOCS.harness().run(java)).isEmpty();
    DocBlock cli =
        only(
            "```bash\nbin/mlobj info s3a://training/images   # comment\n"
                + "mlobj show s3a://training/images@2 --where \"split = 'val'\" --limit 2 \\\n"
                + "  --columns id,image\n```\n");
    assertThat(DOCS.harness().run(cli)).isEmpty();
  }

  @Test
  void aJavaBlockThatDoesNotCompileFailsAtItsLineInTheDoc() {
    DocBlock block =
        only(
            "# Title\n\n```java\n"
                + "Dataset ds = Dataset.open(\"s3a://training/images\", conf);\n"
                + "long v = ds.newestVersionNumber();\n"
                + "```\n");
    assertThatThrownBy(() -> DOCS.harness().run(block))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("x.md:3 (java): the block does not compile")
        .hasMessageContaining("x.md:5: cannot find symbol");
  }

  @Test
  void aJavaBlockThatThrowsFails() {
    DocBlock block =
        only("```java\nDataset.open(\"s3a://training/no-such-dataset\", conf).latest();\n```\n");
    assertThatThrownBy(() -> DOCS.harness().run(block)).isInstanceOf(MlobjException.class);
  }

  @Test
  void aCliLineThatExitsNonZeroFailsWithItsOutput() {
    DocBlock block =
        only(
            "```bash\nbin/mlobj info s3a://training/images\n"
                + "bin/mlobj info s3a://training/no-such-dataset\n```\n");
    assertThatThrownBy(() -> DOCS.harness().run(block))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("'bin/mlobj info s3a://training/no-such-dataset' exited 3")
        .hasMessageContaining("Cannot");
  }

  @Test
  void aBashLineThatIsNotAnMlobjCommandFailsUnlessTheBlockIsMarkedSkip() throws Exception {
    assertThatThrownBy(() -> DOCS.harness().run(only("```bash\nrm -rf /tmp/x\n```\n")))
        .hasMessageContaining("bash blocks run mlobj commands only");
    DocBlock skipped =
        only("<!-- docs-test: skip (needs a shell; shown for reference) -->\n```bash\nrm x\n```\n");
    assertThat(DOCS.harness().run(skipped))
        .isEqualTo(Optional.of("needs a shell; shown for reference"));
  }

  @Test
  void aBlockNoRunnerTakesFailsAndTextBlocksAreIllustrative() throws Exception {
    assertThatThrownBy(() -> DOCS.harness().run(only("```\nmlobj info s3a://x/y\n```\n")))
        .hasMessageContaining("x.md:1 (no language): no runner for a block without a language");
    assertThatThrownBy(() -> DOCS.harness().run(only("```ruby\nputs 1\n```\n")))
        .hasMessageContaining("no runner for ruby");
    assertThat(DOCS.harness().run(only("```text\nanything\n```\n"))).isPresent();
  }

  @Test
  void markersMustBeWellFormed() {
    assertThatThrownBy(() -> only("<!-- docs-test: skip () -->\n```java\nx();\n```\n"))
        .hasMessageContaining("a skip needs a reason");
    assertThatThrownBy(() -> only("<!-- docs-test: run it twice -->\n```java\nx();\n```\n"))
        .hasMessageContaining("unknown instruction");
    assertThatThrownBy(
            () ->
                DOCS.harness().run(only("<!-- docs-test: context nope -->\n```java\nx();\n```\n")))
        .hasMessageContaining("Unknown docs-test context 'nope'");
  }

  @Test
  void flinkSqlStatementsRunAsWrittenWithPlaceholderCredentialsAndTheInsertCommits()
      throws Exception {
    DocBlock block =
        only(
            "```sql\n"
                + "CREATE TABLE images (id BIGINT, image ARRAY<FLOAT>, label INT, split STRING)"
                + " WITH (\n"
                + "  'connector' = 'mlobj', 'path' = 's3a://training/images',  -- the; path\n"
                + "  'fs.s3a.endpoint' = 'http://minio:9000',\n"
                + "  'fs.s3a.access.key' = '...', 'fs.s3a.secret.key' = '...');\n"
                + "INSERT INTO images SELECT id, image, label, split FROM staging;\n"
                + "SELECT label, COUNT(*) FROM images WHERE split = 'train' GROUP BY label;\n"
                + "```\n");
    assertThat(DOCS.harness().run(block)).isEmpty();
    Dataset images = Dataset.open("s3a://training/images", DOCS.env().conf());
    assertThat(images.latest().rows())
        .as(() -> "history: " + images.history(10))
        .isEqualTo(32 + FlinkSqlBlockRunner.ROWS);
  }

  @Test
  void aFlinkSqlStatementThatFailsFailsTheBlockAtItsLine() {
    DocBlock block =
        only(
            "# SQL\n\n```sql\n"
                + "CREATE TABLE images (label INT) WITH ('connector' = 'mlobj',\n"
                + "  'path' = 's3a://training/images');\n"
                + "SELECT nope FROM images;\n"
                + "```\n");
    assertThatThrownBy(() -> DOCS.harness().run(block))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("x.md:6: the SELECT statement failed")
        .hasMessageContaining("nope");
  }

  @Test
  void aFlinkSqlInsertTheDatasetRefusesFailsTheBlockInsteadOfFinishingWithNothingWritten() {
    // README.md's block before it wrote the example dataset's NOT NULL id column.
    DocBlock block =
        only(
            "```sql\n"
                + "CREATE TABLE samples (image ARRAY<FLOAT>, label INT, split STRING) WITH (\n"
                + "  'connector' = 'mlobj', 'path' = 's3a://training/images');\n"
                + "INSERT INTO samples SELECT image, label, split FROM kafka_source;\n"
                + "```\n");
    assertThatThrownBy(() -> DOCS.harness().run(block))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("x.md:4: the INSERT statement failed")
        .hasStackTraceContaining(
            "column 'id' is NOT NULL in the dataset but missing from the data");
  }

  @Test
  void aFlinkSourceBlockLeftWithoutASinkIsReadToTheEndAndMustEmitRows() throws Exception {
    String source =
        "<!-- docs-test: context flink -->\n```java\n"
            + "MlobjSource<ArrowBatch> source = MlobjSource.builder(MlobjDeserializer.arrowBatches())\n"
            + "    .path(\"s3a://training/images\").conf(s3Conf)\n"
            + "    .filter(Predicates.eq(\"split\", \"%s\")).build();\n"
            + "DataStream<ArrowBatch> batches =\n"
            + "    env.fromSource(source, WatermarkStrategy.noWatermarks(), \"mlobj\");\n"
            + "```\n";
    assertThat(DOCS.harness().run(only(source.formatted("train")))).isEmpty();
    assertThatThrownBy(() -> DOCS.harness().run(only(source.formatted("no-such-split"))))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("The block's source emitted nothing");
  }

  @Test
  void aFlinkSinkBlockRunsItsJobAndCommitsTheStream() throws Exception {
    DocBlock block =
        only(
            "<!-- docs-test: context flink -->\n```java\n"
                + "stream.sinkTo(MlobjSink.<Sample>builder().path(\"s3a://training/images\")\n"
                + "    .conf(s3Conf).serializer(new SampleSerializer()).build());\n"
                + "```\n");
    assertThat(DOCS.harness().run(block)).isEmpty();
    Dataset images = Dataset.open("s3a://training/images", DOCS.env().conf());
    assertThat(images.latest().rows())
        .as(() -> "history: " + images.history(10))
        .isEqualTo(32 + FlinkContext.SAMPLES);
  }
}
