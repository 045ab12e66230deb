package io.mlobj.flink.sink;

import io.mlobj.Dataset;
import io.mlobj.MlobjConf;
import io.mlobj.MlobjException;
import io.mlobj.ShardFormat;
import io.mlobj.flink.DatasetBuilder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessageTypeInfo;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * An exactly-once Sink V2 appending to an mlobj dataset: one new dataset version per checkpoint.
 *
 * <p>Topology: writers (any parallelism) upload shards and, on each checkpoint, send the shards
 * they finished; one aggregator gathers a checkpoint's shards into one committable; the committer
 * commits it as one version once the checkpoint completes, idempotently under (sink id, origin job
 * id, checkpoint id) — see {@link MlobjCommitter} for the failure cases. Version summaries record
 * the Flink job as {@link io.mlobj.Lineage#JOB}. Without checkpointing, rows are committed only at
 * the end of a bounded input.
 *
 * <pre>{@code
 * MlobjSink<Sample> sink = MlobjSink.<Sample>builder()
 *     .path("s3a://training/images")
 *     .conf(s3Conf)
 *     .schema(schema)                 // optional when the dataset exists
 *     .serializer(new SampleSerializer())
 *     .sinkId("ingest-images")        // stable across restarts; part of the idempotency key
 *     .build();
 * stream.sinkTo(sink);
 * }</pre>
 *
 * @param <IN> the element type
 */
public final class MlobjSink<IN>
    implements Sink<IN>,
        SupportsCommitter<MlobjCommittable>,
        SupportsPreCommitTopology<WrittenShards, MlobjCommittable> {
  private static final long serialVersionUID = 1L;

  private final WriteSettings settings;
  private final ArrowRowSerializer<IN> serializer;

  private MlobjSink(WriteSettings settings, ArrowRowSerializer<IN> serializer) {
    this.settings = settings;
    this.serializer = serializer;
  }

  /** Starts building a sink. */
  public static <IN> Builder<IN> builder() {
    return new Builder<>();
  }

  /** The validated settings. */
  public WriteSettings settings() {
    return settings;
  }

  @Override
  public SinkWriter<IN> createWriter(WriterInitContext context) {
    return new MlobjSinkWriter<>(
        settings, serializer, context.metricGroup().getNumRecordsSendCounter());
  }

  @Override
  public Committer<MlobjCommittable> createCommitter(CommitterInitContext context) {
    return new MlobjCommitter(settings, context.getJobInfo());
  }

  @Override
  public SimpleVersionedSerializer<MlobjCommittable> getCommittableSerializer() {
    return new MlobjCommittableSerializer();
  }

  @Override
  public SimpleVersionedSerializer<WrittenShards> getWriteResultSerializer() {
    return new WrittenShardsSerializer();
  }

  @Override
  public DataStream<CommittableMessage<MlobjCommittable>> addPreCommitTopology(
      DataStream<CommittableMessage<WrittenShards>> shards) {
    // global(): every writer's shards reach the one aggregator, and its output reaches committer
    // subtask 0 only, so each checkpoint is committed once, as one version.
    return shards
        .global()
        .transform(
            "mlobj-shard-aggregator",
            CommittableMessageTypeInfo.of(MlobjCommittableSerializer::new),
            new ShardAggregator(settings.sinkId()))
        .setParallelism(1)
        .setMaxParallelism(1)
        .global();
  }

  /** Configures a {@link MlobjSink}; {@link #build()} validates everything at once. */
  public static final class Builder<IN> extends DatasetBuilder<Builder<IN>> {
    private Schema schema;
    private ArrowRowSerializer<IN> serializer;
    private final Map<String, String> writerOptions = new TreeMap<>();
    private String sinkId = "mlobj-sink";

    private Builder() {
      super(1024);
    }

    @Override
    protected Builder<IN> self() {
      return this;
    }

    /** The Arrow schema of the rows; default: the existing dataset's. Required for a new one. */
    public Builder<IN> schema(Schema schema) {
      this.schema = schema;
      return this;
    }

    /** Writes elements into Arrow rows. Required. */
    public Builder<IN> serializer(ArrowRowSerializer<IN> serializer) {
      this.serializer = serializer;
      return this;
    }

    /** Shard format: {@code parquet} (default) or {@code arrow}. */
    public Builder<IN> format(String format) {
      writerOptions.put("format", format);
      return this;
    }

    /** Shard compression, e.g. {@code zstd}, {@code snappy}, {@code none}. */
    public Builder<IN> compression(String compression) {
      writerOptions.put("compression", compression);
      return this;
    }

    /** Roll shards at about this many bytes (default 128 MiB), e.g. {@code 64m}. */
    public Builder<IN> targetShardSize(String size) {
      writerOptions.put("targetShardSize", size);
      return this;
    }

    /**
     * A name for this sink that stays the same across restarts of the job (default {@code
     * mlobj-sink}); two sinks writing the same dataset need different ids.
     */
    public Builder<IN> sinkId(String sinkId) {
      this.sinkId = sinkId;
      return this;
    }

    /**
     * Validates every setting and resolves the schema (opening the dataset if it exists).
     *
     * @throws MlobjException naming each bad setting
     */
    public MlobjSink<IN> build() {
      List<String> problems = problems();
      if (serializer == null) {
        problems.add("a serializer (ArrowRowSerializer) is required");
      }
      if (sinkId == null || !sinkId.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
        problems.add("'sinkId' = '" + sinkId + "' must be letters, digits, '.', '_' or '-'");
      }
      String format = writerOptions.get("format");
      if (format != null) {
        try {
          ShardFormat.parse(format);
        } catch (MlobjException e) {
          problems.add("'format' = '" + format + "' must be parquet or arrow");
        }
      }
      String size = writerOptions.get("targetShardSize");
      if (size != null) {
        try {
          MlobjConf.parseBytes("targetShardSize", size);
        } catch (MlobjException e) {
          problems.add("'targetShardSize' = '" + size + "' must be a size such as 128m");
        }
      }
      failOn(problems, "sink", "MlobjSink.builder()");
      Dataset dataset = Dataset.at(path, conf);
      Schema resolved = schema;
      if (resolved == null) {
        if (!dataset.exists()) {
          throw new MlobjException(
              MlobjException.Kind.NOT_FOUND,
              "Cannot build the mlobj sink for "
                  + dataset.uri()
                  + ": the dataset does not exist and no schema was given. Create the dataset"
                  + " first or pass schema(...) so the first commit creates it.");
        }
        resolved = dataset.latest().schema();
      }
      return new MlobjSink<>(
          new WriteSettings(dataset.uri(), conf, resolved, writerOptions, batchRows, sinkId),
          serializer);
    }
  }
}
