package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.FixedShapeTensorVector;
import io.mlobj.internal.arrow.ArrowIpcBatchReader;
import io.mlobj.internal.arrow.ByteArrayInputFile;
import io.mlobj.internal.arrow.ParquetBatchReader;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * pyarrow interop in both directions, driven from Java so that {@code mvn test} runs it: Java
 * writes two small local ({@code file://}) datasets with tensor, binary and list columns (Parquet
 * and Arrow IPC shards), then runs {@code src/test/python/test_interop.py} with pytest, which
 * checks that pyarrow opens every shard with {@code arrow.fixed_shape_tensor} intact and writes
 * Parquet and Arrow IPC files of its own; Java then reads those and imports them into a dataset.
 * Skipped (an assumption) when python3 with pyarrow and pytest is not installed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InteropITCase {
  private static final int JAVA_ROWS = 100;
  private static final int PY_ROWS = 64;

  @TempDir static Path dir;

  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();

  @BeforeAll
  static void requirePython() throws Exception {
    assumeTrue(
        run(List.of("python3", "-c", "import pyarrow, pytest, numpy"), Map.of()).exitCode == 0,
        "python3 with pyarrow, pytest and numpy is not installed; pip install pyarrow pytest");
  }

  private record Result(int exitCode, String output) {}

  private static Result run(List<String> command, Map<String, String> env) throws Exception {
    Path log = Files.createTempFile("mlobj-pytest-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (java.io.IOException e) {
      return new Result(-1, e.toString());
    }
    if (!process.waitFor(180, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new Result(-2, "timed out\n" + Files.readString(log));
    }
    return new Result(process.exitValue(), Files.readString(log));
  }

  /** The columns of {@link TestData#allTypes()} that test_interop.py writes and checks. */
  static Schema javaSchema() {
    Schema all = TestData.allTypes();
    return new Schema(
        Stream.of("id", "name", "image", "tokens", "tensor", "pixels")
            .map(all::findField)
            .toList());
  }

  /** Rows as documented in test_interop.py. */
  static VectorSchemaRoot javaBatch(BufferAllocator allocator, int first, int rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(javaSchema(), allocator);
    root.allocateNew();
    for (int r = 0; r < rows; r++) {
      int i = first + r;
      ((BigIntVector) root.getVector("id")).setSafe(r, i);
      ((VarCharVector) root.getVector("name"))
          .setSafe(r, ("row-" + i).getBytes(StandardCharsets.UTF_8));
      ((VarBinaryVector) root.getVector("image")).setSafe(r, new byte[] {(byte) i, 1, 2});
      ListVector tokens = (ListVector) root.getVector("tokens");
      int offset = tokens.startNewValue(r);
      int n = i % 3;
      for (int k = 0; k < n; k++) {
        ((IntVector) tokens.getDataVector()).setSafe(offset + k, i + k);
      }
      tokens.endValue(r, n);
      FixedSizeListVector tensor =
          ((FixedShapeTensorVector) root.getVector("tensor")).getUnderlyingVector();
      int base = tensor.startNewValue(r);
      for (int k = 0; k < 6; k++) {
        ((Float4Vector) tensor.getDataVector()).setSafe(base + k, 6f * i + k);
      }
      FixedSizeListVector pixels =
          ((FixedShapeTensorVector) root.getVector("pixels")).getUnderlyingVector();
      int pbase = pixels.startNewValue(r);
      for (int k = 0; k < 12; k++) {
        ((UInt1Vector) pixels.getDataVector()).setSafe(pbase + k, (12 * i + k) & 0xff);
      }
    }
    root.setRowCount(rows);
    return root;
  }

  @Test
  @Order(1)
  void pyarrowOpensJavaShardsWithTensorsIntactAndWritesFilesForJava() throws Exception {
    // The Parquet shards come from the column-at-a-time writer, the production path for this
    // schema.
    assertThat(io.mlobj.internal.arrow.ColumnarParquetEncoder.supports(javaSchema())).isTrue();
    for (ShardFormat format : ShardFormat.values()) {
      String uri = dir.resolve("java-" + format.id()).toUri().toString();
      Dataset dataset = Dataset.create(uri, Map.of(), javaSchema(), List.of(), Map.of());
      try (DatasetWriter writer =
          dataset
              .newWriter(javaSchema())
              .format(format)
              .compression(format == ShardFormat.ARROW ? "lz4" : "zstd")
              .targetShardBytes(4096)
              .build(arrow.allocator())) {
        for (int first = 0; first < JAVA_ROWS; first += 25) {
          try (VectorSchemaRoot batch = javaBatch(arrow.allocator(), first, 25)) {
            writer.write(batch);
          }
        }
        dataset.newAppend().addShards(writer.complete()).commit();
      }
      assertThat(dataset.latest().shards()).hasSizeGreaterThan(1);
    }

    Path script = Path.of("src", "test", "python", "test_interop.py").toAbsolutePath();
    Result pytest =
        run(
            List.of("python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", script.toString()),
            Map.of("MLOBJ_INTEROP_DIR", dir.toString()));

    assertThat(pytest.exitCode).as(pytest.output).isZero();
    assertThat(pytest.output).as(pytest.output).contains("5 passed").doesNotContain("skipped");
  }

  private byte[] pyFile(String name) throws Exception {
    File file = dir.resolve("py").resolve(name).toFile();
    assumeTrue(file.exists(), "pytest did not write " + file);
    return Files.readAllBytes(file.toPath());
  }

  /** Checks a batch of pyarrow rows: emb float32[4,2] = 8*id + k, img uint8[2,2,3]. */
  private static int checkPyBatch(VectorSchemaRoot root, List<Long> seen) {
    Field emb = root.getSchema().findField("emb");
    assertThat(emb.getType()).isInstanceOf(FixedShapeTensorType.class);
    assertThat(((FixedShapeTensorType) emb.getType()).shape()).containsExactly(4, 2);
    FixedShapeTensorType img = (FixedShapeTensorType) root.getSchema().findField("img").getType();
    assertThat(img.shape()).containsExactly(2, 2, 3);
    BigIntVector ids = (BigIntVector) root.getVector("id");
    FixedShapeTensorVector embVector = (FixedShapeTensorVector) root.getVector("emb");
    Float4Vector values = (Float4Vector) embVector.values();
    UInt1Vector pixels = (UInt1Vector) ((FixedShapeTensorVector) root.getVector("img")).values();
    VarCharVector captions = (VarCharVector) root.getVector("caption");
    for (int r = 0; r < root.getRowCount(); r++) {
      long id = ids.get(r);
      seen.add(id);
      for (int k = 0; k < 8; k++) {
        assertThat(values.get(r * 8 + k)).isEqualTo(8f * id + k);
      }
      for (int k = 0; k < 12; k++) {
        assertThat(pixels.getObjectNoOverflow(r * 12 + k)).isEqualTo((short) ((12 * id + k) % 256));
      }
      assertThat(captions.getObject(r).toString()).isEqualTo("caption " + id);
    }
    return root.getRowCount();
  }

  private static List<Long> range(int n) {
    List<Long> out = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  @Test
  @Order(2)
  void javaReadsPyarrowParquetAndArrowIpcTensorFiles() throws Exception {
    List<Long> seen = new ArrayList<>();
    try (BatchReader reader =
        new ParquetBatchReader(pyFile("tensors.parquet"), null, arrow.allocator(), 0, -1, 1000)) {
      while (reader.next()) {
        checkPyBatch(reader.root(), seen);
      }
    }
    assertThat(seen).isEqualTo(range(PY_ROWS));
    for (String name : List.of("tensors.arrow", "tensors-zstd.arrow")) {
      seen.clear();
      try (BatchReader reader =
          new ArrowIpcBatchReader(pyFile(name), null, arrow.allocator(), 0, -1)) {
        while (reader.next()) {
          checkPyBatch(reader.root(), seen);
        }
      }
      assertThat(seen).as(name).isEqualTo(range(PY_ROWS));
    }
  }

  @Test
  @Order(3)
  void pyarrowFilesImportIntoADatasetAsShards() throws Exception {
    byte[] parquet = pyFile("tensors.parquet");
    byte[] ipc = pyFile("tensors-zstd.arrow");
    Schema schema;
    List<Long> rowGroups = new ArrayList<>();
    try (ParquetFileReader footer = ParquetFileReader.open(new ByteArrayInputFile(parquet))) {
      schema = ParquetBatchReader.fileArrowSchema(footer);
      for (BlockMetaData block : footer.getRowGroups()) {
        rowGroups.add(block.getRowCount());
      }
    }
    List<Long> batches = new ArrayList<>();
    try (BatchReader reader = new ArrowIpcBatchReader(ipc, null, arrow.allocator(), 0, -1)) {
      while (reader.next()) {
        batches.add((long) reader.root().getRowCount());
      }
    }
    String uri = dir.resolve("imported").toUri().toString();
    Dataset dataset = Dataset.create(uri, Map.of(), schema, List.of(), Map.of());
    dataset.store().put("data/py/tensors.parquet", parquet, Map.of());
    dataset.store().put("data/py/tensors-zstd.arrow", ipc, Map.of());
    List<Shard> shards =
        List.of(
            new Shard(
                "data/py/tensors.parquet",
                ShardFormat.PARQUET,
                PY_ROWS,
                parquet.length,
                ShardIo.crc32c(parquet),
                rowGroups,
                Map.of(),
                Map.of(),
                Map.of("imported-from", "pyarrow")),
            new Shard(
                "data/py/tensors-zstd.arrow",
                ShardFormat.ARROW,
                PY_ROWS,
                ipc.length,
                ShardIo.crc32c(ipc),
                batches,
                Map.of(),
                Map.of(),
                Map.of("imported-from", "pyarrow")));
    Snapshot imported = dataset.newAppend().addShards(shards).schema(schema).commit();

    assertThat(rowGroups).hasSize(4);
    Snapshot reread = Dataset.open(uri, Map.of()).version(imported.version());
    assertThat(reread.schema().findField("emb").getType()).isInstanceOf(FixedShapeTensorType.class);
    List<Long> seen = new ArrayList<>();
    Scan scan = reread.newScan().targetSplitRows(16).build();
    assertThat(scan.planTasks()).hasSize(8);
    try (BatchReader reader = scan.open(arrow.allocator())) {
      while (reader.next()) {
        checkPyBatch(reader.root(), seen);
      }
    }
    List<Long> expected = new ArrayList<>(range(PY_ROWS));
    expected.addAll(range(PY_ROWS));
    assertThat(seen).isEqualTo(expected);
  }
}
