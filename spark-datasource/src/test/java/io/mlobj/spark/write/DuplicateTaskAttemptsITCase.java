package io.mlobj.spark.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Dataset;
import io.mlobj.spark.SparkExtension;
import io.mlobj.store.ObjectInfo;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.connector.catalog.SupportsWrite;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriter;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What speculation and task retries do to a write, driven directly through the DataSource V2 API
 * (Spark's local mode never launches speculative copies): two attempts write the same partition,
 * Spark's commit coordinator lets one commit and aborts the other.
 */
class DuplicateTaskAttemptsITCase {
  @RegisterExtension static final SparkExtension SPARK = new SparkExtension();
  static final EmbeddedS3Extension S3 = SPARK.s3();

  private static final StructType SCHEMA =
      new StructType().add("id", DataTypes.LongType).add("name", DataTypes.StringType);

  private static void writeRows(DataWriter<InternalRow> writer, long from, long to)
      throws Exception {
    for (long id = from; id < to; id++) {
      writer.write(new GenericInternalRow(new Object[] {id, UTF8String.fromString("n" + id)}));
    }
  }

  @Test
  void onlyTheCommittedAttemptOfAPartitionBecomesVisible() throws Exception {
    String uri = S3.newDatasetUri();
    Map<String, String> options = new HashMap<>();
    options.put("path", uri);
    options.put("targetShardSize", "1024");
    options.put("writeBatchRows", "20");
    SupportsWrite table =
        (SupportsWrite)
            new io.mlobj.spark.MlobjDataSource().getTable(SCHEMA, new Transform[0], options);
    LogicalWriteInfo info =
        new LogicalWriteInfo() {
          @Override
          public CaseInsensitiveStringMap options() {
            return new CaseInsensitiveStringMap(options);
          }

          @Override
          public String queryId() {
            return "q1";
          }

          @Override
          public StructType schema() {
            return SCHEMA;
          }

          @Override
          public Optional<StructType> rowIdSchema() {
            return Optional.empty();
          }

          @Override
          public Optional<StructType> metadataSchema() {
            return Optional.empty();
          }
        };
    BatchWrite batch = table.newWriteBuilder(info).build().toBatch();
    DataWriterFactory factory = batch.createBatchWriterFactory(null);

    // Partition 0: the original attempt and a speculative copy both write all rows.
    DataWriter<InternalRow> original = factory.createWriter(0, 1);
    DataWriter<InternalRow> copy = factory.createWriter(0, 2);
    writeRows(original, 0, 200);
    writeRows(copy, 0, 200);
    WriterCommitMessage winner = copy.commit(); // the coordinator authorised the copy
    original.abort(); // and denied the original
    original.close();
    copy.close();
    // Partition 1: one attempt.
    DataWriter<InternalRow> other = factory.createWriter(1, 3);
    writeRows(other, 200, 300);
    WriterCommitMessage second = other.commit();
    other.close();

    batch.commit(new WriterCommitMessage[] {winner, second});

    Dataset ds = Dataset.open(uri, S3.conf());
    assertThat(ds.latestVersion()).isEqualTo(1);
    assertThat(SPARK.session().read().format("mlobj").load(uri).count()).isEqualTo(300);
    assertThat(SPARK.session().read().format("mlobj").load(uri).select("id").distinct().count())
        .isEqualTo(300);
    List<String> stored = ds.store().list("data/", null).stream().map(ObjectInfo::key).toList();
    assertThat(stored)
        .containsExactlyInAnyOrderElementsOf(
            ds.latest().shards().stream().map(io.mlobj.Shard::path).toList());
  }
}
