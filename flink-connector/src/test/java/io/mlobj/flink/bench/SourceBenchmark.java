package io.mlobj.flink.bench;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.Snapshot;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.FixedShapeTensorVector;
import io.mlobj.flink.source.MlobjSource;
import io.mlobj.flink.table.ArrowTypes;
import io.mlobj.flink.table.RowDataDeserializer;
import io.mlobj.testing.BenchResults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.formats.parquet.ParquetColumnarRowInputFormat;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Source throughput: {@link MlobjSource} (RowData) against Flink's {@code FileSource} with the
 * vectorized Parquet format, reading the same Parquet shard files (plain Parquet under {@code
 * <dataset>/data/}) from local disk, at the same parallelism. A map touches every field of every
 * row so that neither source gets away with lazy decoding. One warm-up job per source, then one
 * measured job each; prints rows/s, MB/s and the ratio.
 *
 * <pre>{@code
 * mvn -o -q -pl flink-connector test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.mlobj.flink.bench.SourceBenchmark -Dexec.args="200000 2"
 * }</pre>
 *
 * Arguments: rows (default 200000), parallelism (default 2), tensor elements per row (default 64; 0
 * for scalar columns only), measured runs of each source (default 1; medians; results also go to
 * {@code -Dmlobj.bench.out}, see {@link BenchResults}).
 */
public final class SourceBenchmark {
  private SourceBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int parallelism = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int tensor = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int runs = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    Path dir = Files.createTempDirectory("mlobj-flink-bench");
    try {
      String uri = dir.resolve("ds").toUri().toString();
      Snapshot snapshot = write(uri, rows, tensor);
      Path data = dir.resolve("ds").resolve("data");
      long bytes = snapshot.bytes();
      System.out.printf(
          "Dataset: %d rows, %d shards, %.1f MB of Parquet at %s%n",
          snapshot.rows(), snapshot.shards().size(), bytes / 1e6, data);
      RowType rowType = rowType(snapshot.schema());
      TypeInformation<RowData> typeInfo = InternalTypeInfo.of(rowType);

      Source<RowData, ?, ?> mlobj =
          MlobjSource.builder(new RowDataDeserializer(rowType, typeInfo))
              .path(uri)
              .verifyChecksums(false)
              .build();
      Source<RowData, ?, ?> files =
          FileSource.forBulkFileFormat(
                  new ParquetColumnarRowInputFormat<>(
                      new org.apache.hadoop.conf.Configuration(),
                      rowType,
                      typeInfo,
                      2048,
                      true,
                      true),
                  new org.apache.flink.core.fs.Path(data.toUri()))
              .build();

      double kernelSeconds = kernelScan(uri);
      run("warm-up mlobj", mlobj, parallelism, rowType);
      run("warm-up FileSource", files, parallelism, rowType);
      // Measured jobs alternate between the two sources; medians over the runs.
      List<Double> mlobjRuns = new ArrayList<>();
      List<Double> fileRuns = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        mlobjRuns.add(run("mlobj MlobjSource", mlobj, parallelism, rowType));
        fileRuns.add(run("Flink FileSource+Parquet", files, parallelism, rowType));
      }
      double mlobjSeconds = median(mlobjRuns);
      double fileSeconds = median(fileRuns);
      Map<String, Object> result =
          BenchResults.result(
              "Flink MlobjSource vs FileSource (Parquet, parallelism " + parallelism + ")",
              bytes / 1e6 / mlobjSeconds,
              bytes / 1e6 / fileSeconds,
              "MB/s",
              runs,
              ">= 0.8");
      result.put("rows", rows);
      BenchResults.record(result);
      System.out.printf(
          "mlobj MlobjSource:        %.2f s, %,.0f rows/s, %.1f MB/s%n",
          mlobjSeconds, rows / mlobjSeconds, bytes / 1e6 / mlobjSeconds);
      System.out.printf(
          "Flink FileSource+Parquet: %.2f s, %,.0f rows/s, %.1f MB/s%n",
          fileSeconds, rows / fileSeconds, bytes / 1e6 / fileSeconds);
      System.out.printf(
          "Ratio (mlobj throughput / FileSource throughput): %.2f%n", fileSeconds / mlobjSeconds);
      System.out.printf(
          "(kernel scan alone, one thread, no Flink: %.2f s, %,.0f rows/s)%n",
          kernelSeconds, rows / kernelSeconds);
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Reads every batch with the kernel alone, single-threaded, for reference. */
  private static double kernelScan(String uri) {
    long start = System.nanoTime();
    long rows = 0;
    try (BufferAllocator allocator = new RootAllocator();
        io.mlobj.arrow.BatchReader reader =
            Dataset.open(uri, Map.of())
                .latest()
                .newScan()
                .verifyChecksums(false)
                .build()
                .open(allocator)) {
      while (reader.next()) {
        rows += reader.root().getRowCount();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("kernel scan: %d rows in %.2f s%n", rows, seconds);
    return seconds;
  }

  private static RowType rowType(Schema schema) {
    List<RowType.RowField> fields = new ArrayList<>();
    for (Field field : schema.getFields()) {
      fields.add(new RowType.RowField(field.getName(), ArrowTypes.toFlink(field)));
    }
    return new RowType(fields);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    java.util.Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Job wall time in seconds, from submission to the end of the bounded read. */
  private static double run(
      String name, Source<RowData, ?, ?> source, int parallelism, RowType rowType)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    env.setParallelism(parallelism);
    env.fromSource(source, WatermarkStrategy.noWatermarks(), name)
        .map(new TouchEveryField(rowType))
        .returns(Types.LONG)
        .sinkTo(new DiscardingSink<>());
    long start = System.nanoTime();
    env.execute(name);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("%s: %.2f s%n", name, seconds);
    return seconds;
  }

  /** Reads every field of a row into a checksum. */
  private static final class TouchEveryField implements MapFunction<RowData, Long> {
    private final LogicalType[] types;

    TouchEveryField(RowType rowType) {
      this.types = rowType.getChildren().toArray(new LogicalType[0]);
    }

    @Override
    public Long map(RowData row) {
      long sum = 0;
      for (int f = 0; f < types.length; f++) {
        if (row.isNullAt(f)) {
          continue;
        }
        sum +=
            switch (types[f].getTypeRoot()) {
              case BIGINT -> row.getLong(f);
              case INTEGER -> row.getInt(f);
              case DOUBLE -> (long) row.getDouble(f);
              case VARCHAR -> row.getString(f).toBytes().length;
              case ARRAY -> {
                ArrayData array = row.getArray(f);
                float[] values = array.toFloatArray();
                yield values.length + (long) values[values.length - 1];
              }
              default -> 0;
            };
      }
      return sum;
    }
  }

  private static Snapshot write(String uri, int rows, int tensor) {
    List<Field> fields = new ArrayList<>();
    fields.add(Field.notNullable("id", new ArrowType.Int(64, true)));
    fields.add(Field.notNullable("label", new ArrowType.Int(32, true)));
    fields.add(
        Field.notNullable("score", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)));
    fields.add(Field.notNullable("name", new ArrowType.Utf8()));
    if (tensor > 0) {
      fields.add(
          FixedShapeTensorType.field(
              "embedding", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), tensor));
    }
    Schema schema = new Schema(fields);
    Dataset dataset = Dataset.create(uri, Map.of(), schema, List.of(), Map.of());
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        DatasetWriter writer =
            dataset.newWriter(schema).targetShardBytes(16L << 20).build(allocator)) {
      int batch = 4096;
      java.util.SplittableRandom random = new java.util.SplittableRandom(42);
      for (int first = 0; first < rows; first += batch) {
        int n = Math.min(batch, rows - first);
        root.allocateNew();
        for (int r = 0; r < n; r++) {
          long id = first + r;
          ((BigIntVector) root.getVector("id")).setSafe(r, id);
          ((IntVector) root.getVector("label")).setSafe(r, (int) (id % 10));
          ((Float8Vector) root.getVector("score")).setSafe(r, random.nextDouble());
          ((VarCharVector) root.getVector("name"))
              .setSafe(r, ("sample-" + id).getBytes(StandardCharsets.UTF_8));
          if (tensor > 0) {
            FixedSizeListVector list =
                ((FixedShapeTensorVector) root.getVector("embedding")).getUnderlyingVector();
            int base = list.startNewValue(r);
            Float4Vector values = (Float4Vector) list.getDataVector();
            for (int k = 0; k < tensor; k++) {
              values.setSafe(base + k, random.nextFloat());
            }
          }
        }
        root.setRowCount(n);
        writer.write(root);
      }
      return dataset.newAppend().addShards(writer.complete()).commit();
    }
  }
}
