package io.mlobj.flink.source;

import io.mlobj.Predicate;
import io.mlobj.TimeTravel;
import io.mlobj.flink.DatasetSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Everything the enumerator and the readers of a {@link MlobjSource} need, validated once by the
 * builder and shipped with the source. Immutable.
 */
public final class ReadSettings extends DatasetSettings {
  private static final long serialVersionUID = 1L;

  private final List<String> columns;
  private final Predicate filter;
  private final int batchRows;
  private final long targetSplitRows;
  private final boolean verifyChecksums;
  private final boolean continuous;
  private final long discoveryIntervalMillis;
  private final StartPosition startPosition;
  private final long startVersion;
  private final long boundedVersion;
  private final String boundedTag;
  private final long boundedTimestamp;

  ReadSettings(
      String uri,
      Map<String, String> conf,
      Schema projected,
      List<String> columns,
      Predicate filter,
      int batchRows,
      long targetSplitRows,
      boolean verifyChecksums,
      boolean continuous,
      Duration discoveryInterval,
      StartPosition startPosition,
      long startVersion,
      TimeTravel bounded) {
    super(uri, conf, projected, "source");
    this.columns = List.copyOf(columns);
    this.filter = filter;
    this.batchRows = batchRows;
    this.targetSplitRows = targetSplitRows;
    this.verifyChecksums = verifyChecksums;
    this.continuous = continuous;
    this.discoveryIntervalMillis = discoveryInterval.toMillis();
    this.startPosition = startPosition;
    this.startVersion = startVersion;
    this.boundedVersion = bounded.version();
    this.boundedTag = bounded.tag();
    this.boundedTimestamp = bounded.timestampMillis();
  }

  /** The selected columns, in order. */
  public List<String> columns() {
    return columns;
  }

  /** The filter used to skip shards (rows are not filtered). */
  public Predicate filter() {
    return filter;
  }

  /** Maximum rows per Arrow batch. */
  public int batchRows() {
    return batchRows;
  }

  /** Shards with more rows are split at row-group boundaries into splits of about this size. */
  public long targetSplitRows() {
    return targetSplitRows;
  }

  /** Whether shard checksums are verified on read. */
  public boolean verifyChecksums() {
    return verifyChecksums;
  }

  /** Whether the source discovers new versions forever. */
  public boolean continuous() {
    return continuous;
  }

  /** How often a continuous source looks for new versions. */
  public long discoveryIntervalMillis() {
    return discoveryIntervalMillis;
  }

  /** Where a continuous source starts. */
  public StartPosition startPosition() {
    return startPosition;
  }

  /** The version a continuous source starts at, with {@link StartPosition#VERSION}. */
  public long startVersion() {
    return startVersion;
  }

  /** The version a bounded source reads. */
  public TimeTravel bounded() {
    return new TimeTravel(boundedVersion, boundedTag, boundedTimestamp);
  }
}
