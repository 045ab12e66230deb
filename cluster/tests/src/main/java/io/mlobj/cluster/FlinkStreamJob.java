package io.mlobj.cluster;

import io.mlobj.flink.sink.ArrowRowSerializer;
import io.mlobj.flink.sink.MlobjSink;
import io.mlobj.flink.source.MlobjDeserializer;
import io.mlobj.flink.source.MlobjSource;
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
 * the checkpoint interval in milliseconds, then the storage settings as {@code key=value}. The
 * output rows are {@code (id, label * 10)}.
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
    for (int i = 3; i < args.length; i++) {
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
            .build();
    env.fromSource(source, WatermarkStrategy.noWatermarks(), "mlobj-in")
        .uid("mlobj-in")
        .map(row -> Tuple2.of(row.f0, row.f1 * 10))
        .returns(Types.TUPLE(Types.LONG, Types.INT))
        .uid("times-ten")
        .sinkTo(sink)
        .uid("mlobj-out");
    env.execute("mlobj-cluster-stream");
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
