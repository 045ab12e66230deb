package io.mlobj.cluster;

import io.mlobj.flink.sink.ArrowRowSerializer;
import io.mlobj.flink.sink.MlobjSink;
import io.mlobj.flink.source.MlobjDeserializer;
import io.mlobj.flink.source.MlobjSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * The DataStream job the Flink session cluster test submits with {@code flink run -C
 * file:<mlobj-flink-connector-sql.jar>}: a continuous mlobj source, a map, and the exactly-once
 * mlobj sink, with checkpoints. It uses only Flink's API and the connector, as a user's job would.
 *
 * <p>Arguments: the input dataset URI (rows {@code id BIGINT, label INT}), the output dataset URI,
 * the checkpoint interval in milliseconds, a gate ({@code -} for none, or {@code <id>@<dir>}), then
 * the storage settings as {@code key=value}. The output rows are {@code (id, label * 10)}.
 *
 * <p>The gate lets a test SIGKILL the TaskManager in the middle of a checkpoint interval: the first
 * attempt to map row {@code id} writes {@code <dir>/held-<TaskManager pid>} and waits until {@code
 * <dir>/go} exists. While it waits, no checkpoint completes, so every row emitted since the last
 * one is uncommitted; the sink rolls tiny shards, so some of them are already uploaded.
 */
public final class FlinkStreamJob {
  /** The schema of the input and output datasets. */
  public static final Schema SCHEMA =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.notNullable("label", new ArrowType.Int(32, true))));

  private FlinkStreamJob() {}

  public static void main(String[] args) throws Exception {
    String input = args[0];
    String output = args[1];
    long checkpointMillis = Long.parseLong(args[2]);
    Map<String, String> conf = new TreeMap<>();
    String gate = args[3];
    for (int i = 4; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      conf.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.enableCheckpointing(checkpointMillis);
    MlobjSource<Tuple2<Long, Integer>> source =
        MlobjSource.builder(new Rows())
            .path(input)
            .conf(conf)
            .continuous(Duration.ofMillis(200))
            .build();
    MlobjSink<Tuple2<Long, Integer>> sink =
        MlobjSink.<Tuple2<Long, Integer>>builder()
            .path(output)
            .conf(conf)
            .schema(SCHEMA)
            .serializer(new RowWriter())
            .sinkId("cluster-stream")
            // Tiny shards: uploads between checkpoints, even with little data.
            .batchRows(50)
            .targetShardSize("1k")
            .build();
    env.fromSource(source, WatermarkStrategy.noWatermarks(), "mlobj-in")
        .uid("mlobj-in")
        .map(new TimesTen(gate))
        .uid("times-ten")
        .sinkTo(sink)
        .uid("mlobj-out");
    env.execute("mlobj-cluster-stream");
  }

  /** {@code (id, label) -> (id, label * 10)}, holding at the gate row (see the class comment). */
  static final class TimesTen implements MapFunction<Tuple2<Long, Integer>, Tuple2<Long, Integer>> {
    private final long gateId;
    private final String gateDir;

    TimesTen(String gate) {
      int at = gate.indexOf('@');
      this.gateId = at < 0 ? -1 : Long.parseLong(gate.substring(0, at));
      this.gateDir = at < 0 ? null : gate.substring(at + 1);
    }

    @Override
    public Tuple2<Long, Integer> map(Tuple2<Long, Integer> row) throws Exception {
      if (row.f0 == gateId) {
        Path dir = Path.of(gateDir);
        if (!Files.exists(dir.resolve("go"))) {
          Files.writeString(dir.resolve("held-" + ProcessHandle.current().pid()), "");
          while (!Files.exists(dir.resolve("go"))) {
            Thread.sleep(50);
          }
        }
      }
      return Tuple2.of(row.f0, row.f1 * 10);
    }
  }

  /** Reads {@code (id, label)} rows. */
  static final class Rows implements MlobjDeserializer<Tuple2<Long, Integer>> {
    @Override
    public void deserialize(VectorSchemaRoot batch, int row, Collector<Tuple2<Long, Integer>> out) {
      out.collect(
          Tuple2.of(
              ((BigIntVector) batch.getVector("id")).get(row),
              ((IntVector) batch.getVector("label")).get(row)));
    }

    @Override
    public TypeInformation<Tuple2<Long, Integer>> getProducedType() {
      return Types.TUPLE(Types.LONG, Types.INT);
    }
  }

  /** Writes {@code (id, label)} rows. */
  static final class RowWriter implements ArrowRowSerializer<Tuple2<Long, Integer>> {
    @Override
    public void write(Tuple2<Long, Integer> element, VectorSchemaRoot root, int row) {
      ((BigIntVector) root.getVector("id")).setSafe(row, element.f0);
      ((IntVector) root.getVector("label")).setSafe(row, element.f1);
    }
  }
}
