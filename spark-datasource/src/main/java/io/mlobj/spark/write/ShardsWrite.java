package io.mlobj.spark.write;

import io.mlobj.CommitOutcome;
import io.mlobj.Shard;
import io.mlobj.commit.CommitStateUnknownException;
import java.util.List;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * What a batch and a streaming write share: tasks upload shards through one writer factory, the
 * driver commits the shards of the messages, and a failed commit or an aborted write deletes them.
 */
abstract class ShardsWrite {
  final ShardCommitter committer;
  final MlobjWriterFactory factory;

  ShardsWrite(ShardCommitter committer, MlobjWriterFactory factory) {
    this.committer = committer;
    this.factory = factory;
  }

  /**
   * Commits the shards; a commit that failed deletes them and rethrows, one whose outcome is
   * unknown is rethrown without deleting anything (it may have succeeded).
   */
  CommitOutcome commitOrDelete(
      List<Shard> shards, long writeStartedMillis, String idempotentId, long number) {
    try {
      return committer.commit(shards, writeStartedMillis, idempotentId, number);
    } catch (CommitStateUnknownException e) {
      throw e;
    } catch (RuntimeException e) {
      committer.delete(shards);
      throw e;
    }
  }

  /** Deletes the shards of the messages of an aborted write. */
  void deleteShards(WriterCommitMessage[] messages) {
    committer.delete(ShardCommitter.shards(messages));
  }
}
