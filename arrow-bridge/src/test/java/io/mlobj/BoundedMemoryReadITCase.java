package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.FixedShapeTensorVector;
import io.mlobj.testing.EmbeddedS3Extension;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A dataset several times larger than the reader's heap streams through a scan: memory is bounded
 * by the read-ahead budget, not the dataset. The reader runs in a child JVM with a small -Xmx.
 */
class BoundedMemoryReadITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  static final int TENSOR = 16 * 1024; // 64 KiB of float32 per row
  static final int ROWS_PER_BATCH = 64;
  static final String HEAP = "-Xmx128m";

  static Schema schema() {
    return new Schema(
        List.of(
            Field.notNullable("id", new ArrowType.Int(64, true)),
            FixedShapeTensorType.field("x", TestData.FLOAT32, TENSOR)));
  }

  @Test
  void aDatasetFourTimesTheHeapStreamsInAChildJvm() throws Exception {
    int batches = 128; // 128 * 4 MiB = 512 MiB, 4x the child's heap
    String uri = S3.newDatasetUri();
    Dataset dataset = Dataset.create(uri, S3.conf(), schema(), List.of(), Map.of());
    double expectedSum = 0;
    try (BufferAllocator allocator = new RootAllocator();
        DatasetWriter writer =
            dataset
                .newWriter(schema())
                .format(ShardFormat.ARROW)
                .targetShardBytes(16L << 20)
                .build(allocator);
        VectorSchemaRoot root = VectorSchemaRoot.create(schema(), allocator)) {
      for (int b = 0; b < batches; b++) {
        root.allocateNew();
        FixedSizeListVector tensor =
            ((FixedShapeTensorVector) root.getVector("x")).getUnderlyingVector();
        Float4Vector values = (Float4Vector) tensor.getDataVector();
        for (int r = 0; r < ROWS_PER_BATCH; r++) {
          long id = (long) b * ROWS_PER_BATCH + r;
          ((BigIntVector) root.getVector("id")).setSafe(r, id);
          int base = tensor.startNewValue(r);
          for (int k = 0; k < TENSOR; k++) {
            values.setSafe(base + k, k == 0 ? id : 1f);
          }
          expectedSum += id;
        }
        root.setRowCount(ROWS_PER_BATCH);
        writer.write(root);
        root.clear();
      }
      dataset.newAppend().addShards(writer.complete()).commit();
    }
    assertThat(dataset.latest().bytes()).isGreaterThan(4L * 128 << 20 - (16 << 20));

    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    command.add(HEAP);
    command.add("-XX:MaxDirectMemorySize=96m");
    command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ScanMain.class.getName());
    command.add(uri);
    S3.conf().forEach((k, v) -> command.add(k + "=" + v));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    assertThat(output)
        .contains("ROWS " + (batches * ROWS_PER_BATCH))
        .contains("SUM " + (long) expectedSum);
  }

  /** Scans a dataset with a small read-ahead budget and prints row count and id sum. */
  public static final class ScanMain {
    public static void main(String[] args) {
      Map<String, String> conf = new java.util.HashMap<>();
      for (int i = 1; i < args.length; i++) {
        int eq = args[i].indexOf('=');
        conf.put(args[i].substring(0, eq), args[i].substring(eq + 1));
      }
      Scan scan = Dataset.open(args[0], conf).latest().newScan().readAhead(1, 24L << 20).build();
      long rows = 0;
      double sum = 0;
      try (BufferAllocator allocator = new RootAllocator(80L << 20);
          BatchReader reader = scan.open(allocator)) {
        while (reader.next()) {
          FixedSizeListVector tensor =
              ((FixedShapeTensorVector) reader.root().getVector("x")).getUnderlyingVector();
          Float4Vector values = (Float4Vector) tensor.getDataVector();
          for (int r = 0; r < reader.root().getRowCount(); r++) {
            sum += values.get(r * TENSOR);
          }
          rows += reader.root().getRowCount();
        }
      }
      System.out.println("ROWS " + rows);
      System.out.println("SUM " + (long) sum);
      System.out.println("MAXHEAP " + Runtime.getRuntime().maxMemory());
    }
  }
}
