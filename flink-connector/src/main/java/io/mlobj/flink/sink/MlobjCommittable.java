package io.mlobj.flink.sink;

import io.mlobj.Shard;
import java.util.List;

/**
 * Everything one checkpoint of one sink wrote, committed as one dataset version.
 *
 * @param writerId the idempotency key: the sink id and the id of the job that first ran it
 * @param number the checkpoint id (for the end of a bounded input: the last checkpoint id + 1)
 * @param shards the shards written by all writer subtasks for that checkpoint
 * @param writeStartedMillis when the earliest writer of these shards began (epoch millis), or
 *     {@link #UNKNOWN_START} (a committable restored from a checkpoint of an older connector): the
 *     commit checks that the shards still exist when the write began longer ago than {@code
 *     mlobj.commit.check-shards-after}, and always when the start is unknown
 */
public record MlobjCommittable(
    String writerId, long number, List<Shard> shards, long writeStartedMillis) {
  /** The write start of a committable that does not record it. */
  public static final long UNKNOWN_START = -1;

  public MlobjCommittable {
    shards = List.copyOf(shards);
  }

  /** A committable whose write start is unknown ({@link #UNKNOWN_START}). */
  public MlobjCommittable(String writerId, long number, List<Shard> shards) {
    this(writerId, number, shards, UNKNOWN_START);
  }
}
