package io.mlobj.flink.sink;

import io.mlobj.Shard;
import java.util.List;

/**
 * Everything one checkpoint of one sink wrote, committed as one dataset version.
 *
 * @param writerId the idempotency key: the sink id and the id of the job that first ran it
 * @param number the checkpoint id (for the end of a bounded input: the last checkpoint id + 1)
 * @param shards the shards written by all writer subtasks for that checkpoint
 */
public record MlobjCommittable(String writerId, long number, List<Shard> shards) {
  public MlobjCommittable {
    shards = List.copyOf(shards);
  }
}
