package io.mlobj.flink.sink;

import io.mlobj.Shard;
import java.util.List;

/**
 * What one writer subtask hands on at a checkpoint: the shards it wrote since the last one and when
 * it began writing them, so the commit can tell a write older than the vacuum safety window.
 *
 * @param shards the shards, not yet visible
 * @param writeStartedMillis when the writer of these shards was created (epoch millis)
 */
public record WrittenShards(List<Shard> shards, long writeStartedMillis) {
  public WrittenShards {
    shards = List.copyOf(shards);
  }
}
