package io.mlobj.examples.flink;

import io.mlobj.Dataset;
import io.mlobj.Snapshot;
import io.mlobj.flink.sink.MlobjSink;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A Flink streaming ingest job: appends synthetic samples to an existing mlobj dataset with the
 * exactly-once {@link MlobjSink}, one dataset version per checkpoint. The input is bounded (a fixed
 * number of samples, rate-limited so the job spans several checkpoints), so the job ends by itself;
 * the last rows are committed at the end of the input.
 *
 * <pre>{@code
 * Snapshot latest = FlinkIngest.run(FlinkIngest.Options.of("s3a://train/images", s3Conf));
 * }</pre>
 *
 * <p>From a shell: {@code java ... io.mlobj.examples.flink.FlinkIngest --dataset s3a://train/x
 * [--samples 2000] [--first-id 100000] [--rate 1000] [--checkpoint-ms 500] [--parallelism 2]
 * [--conf fs.s3a.endpoint=http://...]...}
 */
public final class FlinkIngest {
  private FlinkIngest() {}

  /**
   * What to do.
   *
   * @param dataset the existing dataset to append to (its schema decides the columns written)
   * @param conf storage settings ({@code fs.s3a.*})
   * @param samples how many samples to append
   * @param firstId the id of the first sample (ids continue from here)
   * @param samplesPerSecond rate limit of the generator (spreads the rows over checkpoints)
   * @param checkpointMillis checkpoint interval: each completed checkpoint is one version
   * @param parallelism parallelism of the generator and the sink writers
   */
  public record Options(
      String dataset,
      Map<String, String> conf,
      int samples,
      long firstId,
      int samplesPerSecond,
      long checkpointMillis,
      int parallelism) {
    /** Defaults: 2000 samples from id 1,000,000 at 1000 per second, 500 ms checkpoints, 2 tasks. */
    public static Options of(String dataset, Map<String, String> conf) {
      return new Options(dataset, conf, 2000, 1_000_000, 1000, 500, 2);
    }
  }

  /** Runs the job in a local Flink environment; returns the dataset's latest version after it. */
  public static Snapshot run(Options options) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    return run(env, options);
  }

  /** Runs the job on {@code env}; returns the dataset's latest version after it. */
  public static Snapshot run(StreamExecutionEnvironment env, Options options) throws Exception {
    Dataset.open(options.dataset(), options.conf()); // fails clearly if it does not exist
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    env.setParallelism(options.parallelism());
    env.enableCheckpointing(options.checkpointMillis());
    long first = options.firstId();
    DataGeneratorSource<Long> ids =
        new DataGeneratorSource<>(
            index -> first + index,
            options.samples(),
            RateLimiterStrategy.perSecond(options.samplesPerSecond()),
            Types.LONG);
    env.fromSource(ids, WatermarkStrategy.noWatermarks(), "sample ids")
        .sinkTo(
            MlobjSink.<Long>builder()
                .path(options.dataset())
                .conf(options.conf())
                .serializer(new SampleSerializer(42, 10))
                .batchRows(256)
                .sinkId("flink-ingest")
                .build())
        .name("mlobj sink");
    env.execute("mlobj-flink-ingest");
    return Dataset.open(options.dataset(), options.conf()).latest();
  }

  /** Command-line entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    String dataset = null;
    Options defaults = Options.of(null, Map.of());
    int samples = defaults.samples();
    long firstId = defaults.firstId();
    int rate = defaults.samplesPerSecond();
    long checkpoint = defaults.checkpointMillis();
    int parallelism = defaults.parallelism();
    Map<String, String> conf = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--dataset" -> dataset = value;
        case "--samples" -> samples = Integer.parseInt(value);
        case "--first-id" -> firstId = Long.parseLong(value);
        case "--rate" -> rate = Integer.parseInt(value);
        case "--checkpoint-ms" -> checkpoint = Long.parseLong(value);
        case "--parallelism" -> parallelism = Integer.parseInt(value);
        case "--conf" -> {
          String[] kv = value.split("=", 2);
          conf.put(kv[0], kv[1]);
        }
        default ->
            throw new IllegalArgumentException(
                "Cannot parse argument '"
                    + args[i]
                    + "'. Use --dataset URI [--samples N] [--first-id N] [--rate N]"
                    + " [--checkpoint-ms N] [--parallelism N] [--conf fs.s3a.k=v]...");
      }
    }
    if (dataset == null) {
      throw new IllegalArgumentException(
          "Cannot run: --dataset is required (an existing dataset, e.g. one written by"
              + " SparkPreprocess or SyntheticImages).");
    }
    Snapshot latest =
        run(new Options(dataset, conf, samples, firstId, rate, checkpoint, parallelism));
    System.out.println(
        "Appended "
            + samples
            + " samples; "
            + latest
            + " now holds "
            + latest.rows()
            + " rows in "
            + latest.shards().size()
            + " shards");
  }
}
