package io.mlobj.spark.write;

/** How the shards of a write are committed. */
enum WriteMode {
  /** Add shards. */
  APPEND,
  /** Replace all shards. */
  OVERWRITE_ALL,
  /** Replace the shards of partitions matching a predicate. */
  OVERWRITE_WHERE,
  /** Replace the shards of the partitions the data contains. */
  OVERWRITE_DYNAMIC
}
