package io.mlobj.flink.source;

/**
 * Where a continuous {@link MlobjSource} starts reading.
 *
 * <ul>
 *   <li>{@link #EARLIEST}: every shard of the latest version at start, then the shards added by
 *       each later version.
 *   <li>{@link #LATEST}: only the shards added by versions committed after the job starts.
 *   <li>{@link #VERSION}: every shard of a given version, then the shards added by each later
 *       version.
 * </ul>
 */
public enum StartPosition {
  EARLIEST,
  LATEST,
  VERSION
}
