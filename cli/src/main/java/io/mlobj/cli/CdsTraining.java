package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.s3server.EmbeddedS3;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The training run of {@code bin/mlobj}'s class-data archive (AppCDS, docs/cli.md#start-up): runs
 * the short S3 commands, successfully, against an embedded S3 server and a one-shard dataset in a
 * temporary directory, so the archive holds the classes those commands load (request, response and
 * XML handling, JSON, output) and not only those of a failed connection. Touches no real storage;
 * not a user command.
 */
public final class CdsTraining {
  private static final String BUCKET = "mlobj-cds-training";

  private CdsTraining() {}

  /** Runs the training commands and exits: 0 when all succeeded, 1 (listing them) if not. */
  public static void main(String[] args) throws IOException {
    List<String> failed = train();
    failed.forEach(System.err::println);
    System.exit(failed.isEmpty() ? 0 : 1);
  }

  /**
   * Runs the training commands in this JVM.
   *
   * @return the commands that did not exit 0, each with its output; empty when all succeeded
   */
  static List<String> train() throws IOException {
    List<String> failed = new ArrayList<>();
    // The server keeps its buckets in a temporary directory of its own and deletes it on close.
    try (EmbeddedS3 s3 = EmbeddedS3.builder().port(0).build().start()) {
      s3.createBucket(BUCKET);
      Map<String, String> conf = s3.hadoopConf();
      String uri = "s3a://" + BUCKET + "/ds";
      createDataset(uri, conf);
      List<String> settings = new ArrayList<>();
      conf.forEach((k, v) -> settings.add("-c=" + k + "=" + v));
      for (List<String> command :
          List.of(
              List.of("info", uri),
              List.of("info", uri, "--json"),
              List.of("ls", "s3a://" + BUCKET),
              List.of("history", uri),
              List.of("schema", uri),
              List.of("show", uri, "--limit", "2"))) {
        List<String> all = new ArrayList<>(command);
        all.addAll(settings);
        StringWriter output = new StringWriter();
        int code =
            Main.run(all.toArray(String[]::new), new PrintWriter(output), new PrintWriter(output));
        if (code != ExitCodes.OK) {
          failed.add(String.join(" ", command) + ": exit " + code + ": " + output);
        }
      }
    }
    return failed;
  }

  private static void createDataset(String uri, Map<String, String> conf) {
    Schema schema = new Schema(List.of(Field.notNullable("id", new ArrowType.Int(64, true))));
    try (Dataset dataset = Dataset.create(uri, conf, schema, List.of(), Map.of());
        BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        DatasetWriter writer = dataset.newWriter(schema).build(allocator)) {
      BigIntVector id = (BigIntVector) root.getVector("id");
      id.allocateNew(3);
      for (int i = 0; i < 3; i++) {
        id.set(i, i);
      }
      root.setRowCount(3);
      writer.write(root);
      dataset.newAppend().addShards(writer).commit();
    }
  }
}
