package io.mlobj.flink.source;

import io.mlobj.Dataset;
import io.mlobj.MlobjErrors;
import io.mlobj.MlobjException;
import io.mlobj.Predicate;
import io.mlobj.Predicates;
import io.mlobj.Snapshot;
import io.mlobj.TimeTravel;
import io.mlobj.flink.DatasetBuilder;
import io.mlobj.flink.source.enumerator.MlobjEnumeratorState;
import io.mlobj.flink.source.enumerator.MlobjEnumeratorStateSerializer;
import io.mlobj.flink.source.enumerator.MlobjSplitEnumerator;
import io.mlobj.flink.source.reader.MlobjSourceReader;
import io.mlobj.flink.source.split.MlobjSplit;
import io.mlobj.flink.source.split.MlobjSplitSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A FLIP-27 source reading an mlobj dataset: bounded (one version: latest, a number, a tag or a
 * point in time) or continuous (a start snapshot, then the shards each new version adds). Splits
 * are shards, or row-group ranges of large shards; readers pull them, read them with the kernel and
 * turn Arrow batches into records with a {@link MlobjDeserializer}.
 *
 * <pre>{@code
 * MlobjSource<ArrowBatch> source = MlobjSource.builder(MlobjDeserializer.arrowBatches())
 *     .path("s3a://training/images")
 *     .conf(Map.of("fs.s3a.endpoint", "http://minio:9000", "fs.s3a.path.style.access", "true"))
 *     .select("image", "label")
 *     .filter(Predicates.eq("split", "train"))  // skips shards by statistics
 *     .continuous(Duration.ofSeconds(10))          // or .version(12) / .tag("tested")
 *     .build();
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "mlobj");
 * }</pre>
 *
 * <p>{@link Builder#build()} opens the dataset once to validate the path, the version and the
 * columns, so mistakes fail when the job is built rather than when it runs.
 */
public final class MlobjSource<T>
    implements Source<T, MlobjSplit, MlobjEnumeratorState>, ResultTypeQueryable<T> {
  private static final long serialVersionUID = 1L;

  private final ReadSettings settings;
  private final MlobjDeserializer<T> deserializer;

  private MlobjSource(ReadSettings settings, MlobjDeserializer<T> deserializer) {
    this.settings = settings;
    this.deserializer = deserializer;
  }

  /** Starts building a source that turns batches into records with {@code deserializer}. */
  public static <T> Builder<T> builder(MlobjDeserializer<T> deserializer) {
    return new Builder<>(deserializer);
  }

  /** The validated settings. */
  public ReadSettings settings() {
    return settings;
  }

  @Override
  public Boundedness getBoundedness() {
    return settings.continuous() ? Boundedness.CONTINUOUS_UNBOUNDED : Boundedness.BOUNDED;
  }

  @Override
  public SplitEnumerator<MlobjSplit, MlobjEnumeratorState> createEnumerator(
      SplitEnumeratorContext<MlobjSplit> context) {
    return new MlobjSplitEnumerator(context, settings, null);
  }

  @Override
  public SplitEnumerator<MlobjSplit, MlobjEnumeratorState> restoreEnumerator(
      SplitEnumeratorContext<MlobjSplit> context, MlobjEnumeratorState state) {
    return new MlobjSplitEnumerator(context, settings, state);
  }

  @Override
  public SimpleVersionedSerializer<MlobjSplit> getSplitSerializer() {
    return MlobjSplitSerializer.INSTANCE;
  }

  @Override
  public SimpleVersionedSerializer<MlobjEnumeratorState> getEnumeratorCheckpointSerializer() {
    return MlobjEnumeratorStateSerializer.INSTANCE;
  }

  @Override
  public SourceReader<T, MlobjSplit> createReader(SourceReaderContext context) {
    return new MlobjSourceReader<>(settings, deserializer, context);
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return deserializer.getProducedType();
  }

  /** Configures a {@link MlobjSource}; {@link #build()} validates everything at once. */
  public static final class Builder<T> extends DatasetBuilder<Builder<T>> {
    private final MlobjDeserializer<T> deserializer;
    private List<String> columns;
    private Predicate filter = Predicates.alwaysTrue();
    private long targetSplitRows = Long.MAX_VALUE;
    private boolean verifyChecksums = true;
    private TimeTravel travel = TimeTravel.latest();
    private boolean continuous;
    private Duration discoveryInterval = Duration.ofSeconds(10);
    private StartPosition startPosition = StartPosition.EARLIEST;
    private long startVersion = -1;

    private Builder(MlobjDeserializer<T> deserializer) {
      super(8192);
      this.deserializer = deserializer;
    }

    @Override
    protected Builder<T> self() {
      return this;
    }

    /** Reads only these columns, in this order (default: all). */
    public Builder<T> select(String... columns) {
      return select(List.of(columns));
    }

    /** Reads only these columns, in this order (default: all). */
    public Builder<T> select(List<String> columns) {
      this.columns = columns == null ? null : new ArrayList<>(columns);
      return this;
    }

    /** Skips shards whose statistics or partition values cannot match; rows are not filtered. */
    public Builder<T> filter(Predicate filter) {
      this.filter = filter == null ? Predicates.alwaysTrue() : filter;
      return this;
    }

    /** Splits shards larger than this many rows at row-group boundaries (default: never). */
    public Builder<T> targetSplitRows(long rows) {
      this.targetSplitRows = rows;
      return this;
    }

    /** Verify each shard's CRC32C while reading (default true). */
    public Builder<T> verifyChecksums(boolean verify) {
      this.verifyChecksums = verify;
      return this;
    }

    /** Bounded read of this version. */
    public Builder<T> version(long version) {
      return timeTravel(TimeTravel.version(version));
    }

    /** Bounded read of the version this tag points to. */
    public Builder<T> tag(String tag) {
      return timeTravel(TimeTravel.tag(tag));
    }

    /** Bounded read of the latest version committed at or before this time. */
    public Builder<T> asOf(long timestampMillis) {
      return timeTravel(TimeTravel.timestamp(timestampMillis));
    }

    /** Bounded read of a version chosen by {@link TimeTravel} (default: latest). */
    public Builder<T> timeTravel(TimeTravel travel) {
      this.travel = travel;
      return this;
    }

    /** Reads continuously, looking for new versions at this interval (default: bounded). */
    public Builder<T> continuous(Duration discoveryInterval) {
      this.continuous = true;
      this.discoveryInterval = discoveryInterval;
      return this;
    }

    /** Where a continuous read starts (default {@link StartPosition#EARLIEST}). */
    public Builder<T> startFrom(StartPosition position) {
      this.startPosition = position;
      return this;
    }

    /** A continuous read starting with every shard of {@code version}, then later additions. */
    public Builder<T> startFromVersion(long version) {
      this.startPosition = StartPosition.VERSION;
      this.startVersion = version;
      return this;
    }

    /**
     * Validates every setting, opens the dataset to check the path, version and columns, and builds
     * the source.
     *
     * @throws MlobjException naming each bad setting, or a missing dataset or version
     */
    public MlobjSource<T> build() {
      List<String> problems = problems();
      if (deserializer == null) {
        problems.add("a deserializer is required (e.g. MlobjDeserializer.arrowBatches())");
      }
      if (targetSplitRows <= 0) {
        problems.add("'targetSplitRows' = " + targetSplitRows + " must be positive");
      }
      if (continuous && (discoveryInterval == null || discoveryInterval.toMillis() <= 0)) {
        problems.add("the discovery interval must be positive, got " + discoveryInterval);
      }
      if (continuous && !travel.isLatest()) {
        problems.add(
            "a continuous read cannot also time-travel ("
                + travel
                + "); use startFromVersion(...) instead");
      }
      if (startPosition == StartPosition.VERSION && startVersion <= 0) {
        problems.add("startFromVersion needs a version >= 1, got " + startVersion);
      }
      failOn(problems, "source", "MlobjSource.builder()");
      Dataset dataset = Dataset.open(path, conf);
      Snapshot snapshot;
      if (!continuous) {
        snapshot = dataset.snapshot(travel);
      } else if (startPosition == StartPosition.VERSION) {
        snapshot = dataset.version(startVersion);
      } else {
        snapshot = dataset.latest();
      }
      Schema full = snapshot.schema();
      List<String> known = full.getFields().stream().map(Field::getName).toList();
      List<String> selected = columns == null ? known : columns;
      List<Field> fields = new ArrayList<>();
      for (String column : selected) {
        if (!known.contains(column)) {
          throw MlobjErrors.unknownColumn(dataset.uri(), column, known);
        }
        fields.add(full.findField(column));
      }
      for (String column : filter.columns()) {
        if (!known.contains(column)) {
          throw MlobjErrors.unknownColumn(dataset.uri(), column, known);
        }
      }
      ReadSettings settings =
          new ReadSettings(
              dataset.uri(),
              conf,
              new Schema(fields, full.getCustomMetadata()),
              selected,
              filter,
              batchRows,
              targetSplitRows,
              verifyChecksums,
              continuous,
              discoveryInterval,
              startPosition,
              startVersion,
              travel);
      return new MlobjSource<>(settings, deserializer);
    }
  }
}
