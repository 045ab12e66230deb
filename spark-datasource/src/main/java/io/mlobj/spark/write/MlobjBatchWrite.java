package io.mlobj.spark.write;

import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.DataWriterFactory;
import org.apache.spark.sql.connector.write.PhysicalWriteInfo;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * A batch write: tasks upload shards, the driver commits them as one version.
 *
 * <p>Why every row ends up exactly once:
 *
 * <ul>
 *   <li><b>A task attempt fails</b> before committing: its writer's {@code abort()} deletes the
 *       shards it uploaded, and its (absent) message never reaches the driver; the retry writes
 *       fresh shards.
 *   <li><b>Speculative or duplicate attempts</b>: Spark's output commit coordinator ({@link
 *       #useCommitCoordinator()} is true) lets exactly one attempt per partition commit; the others
 *       are aborted, so only one set of shards per partition is in the messages.
 *   <li><b>An executor dies</b> after uploading: its shards are in no message and no version; they
 *       are invisible and vacuum removes them.
 *   <li><b>The job fails or the driver commit fails</b> (e.g. a conflicting overwrite): {@link
 *       #abort} deletes the shards of all messages; no version is created. A commit whose outcome
 *       is unknown ({@code CommitStateUnknownException}) is rethrown without deleting anything. A
 *       task that commits while its job is already failing has its message dropped by Spark: its
 *       shards are in no version (invisible) and vacuum removes them.
 *   <li><b>The driver commit succeeds</b>: the new version references exactly the shards of the
 *       messages, atomically.
 * </ul>
 */
final class MlobjBatchWrite extends ShardsWrite implements BatchWrite {
  MlobjBatchWrite(ShardCommitter committer, MlobjWriterFactory factory) {
    super(committer, factory);
  }

  @Override
  public DataWriterFactory createBatchWriterFactory(PhysicalWriteInfo info) {
    return factory;
  }

  @Override
  public boolean useCommitCoordinator() {
    return true;
  }

  @Override
  public void commit(WriterCommitMessage[] messages) {
    commitOrDelete(
        ShardCommitter.shards(messages), ShardCommitter.writeStartedMillis(messages), null, 0);
  }

  @Override
  public void abort(WriterCommitMessage[] messages) {
    deleteShards(messages);
  }
}
