package io.mlobj.spark.write;

import io.mlobj.Shard;
import java.util.List;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.WriterCommitMessage;
import org.apache.spark.sql.connector.write.streaming.StreamingDataWriterFactory;
import org.apache.spark.sql.connector.write.streaming.StreamingWrite;

/**
 * A Structured Streaming sink: each micro-batch commits one version recording (query id, batch id)
 * in the dataset ({@code Commit.idempotent}).
 *
 * <p>Exactly once across failures: a batch that fails before the commit leaves only unreferenced
 * shards (deleted in {@link #abort}); a batch that committed but whose completion Spark did not
 * checkpoint is replayed after a restart with the same batch id, which the dataset already
 * recorded, so the replay commits nothing and deletes its duplicate shards.
 */
final class MlobjStreamingWrite extends ShardsWrite implements StreamingWrite {
  private final String queryId;

  MlobjStreamingWrite(ShardCommitter committer, MlobjWriterFactory factory, String queryId) {
    super(committer, factory);
    this.queryId = queryId;
  }

  @Override
  public StreamingDataWriterFactory createStreamingWriterFactory(PhysicalWriteInfo info) {
    return factory;
  }

  @Override
  public void commit(long epochId, WriterCommitMessage[] messages) {
    List<Shard> shards = ShardCommitter.shards(messages);
    if (shards.isEmpty() && committer.mode() == WriteMode.APPEND) {
      return; // nothing to add; an empty version would only clutter the history
    }
    if (commitOrDelete(shards, ShardCommitter.writeStartedMillis(messages), queryId, epochId)
        .alreadyCommitted()) {
      committer.delete(shards); // a replayed batch wrote its rows again into new shards
    }
  }

  @Override
  public void abort(long epochId, WriterCommitMessage[] messages) {
    deleteShards(messages);
  }
}
