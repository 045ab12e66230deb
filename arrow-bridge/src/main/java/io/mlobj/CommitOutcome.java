package io.mlobj;

/**
 * What {@link Commit#commitWithOutcome()} did. Stable API.
 *
 * <p>{@link Status#ALREADY_COMMITTED} happens only for an {@link Commit#idempotent idempotent}
 * commit whose (writer id, number) the dataset already recorded: nothing was committed and {@link
 * #snapshot()} is the latest version. Whether this commit's shards are then duplicates to delete
 * ({@link Dataset#deleteUncommitted}) only the writer knows: a re-executed Spark micro-batch wrote
 * new shards (delete them); a Flink committable replayed from a checkpoint carries the very shards
 * that were committed (keep them).
 *
 * @param snapshot the version this commit created, or the latest one if it was already committed
 * @param status whether this call committed
 */
public record CommitOutcome(Snapshot snapshot, Status status) {
  /** Whether a commit call created a version. */
  public enum Status {
    /** This call committed a new version. */
    COMMITTED,
    /** The dataset already recorded this application transaction; nothing was committed. */
    ALREADY_COMMITTED
  }

  /** Whether the application transaction had been committed before this call. */
  public boolean alreadyCommitted() {
    return status == Status.ALREADY_COMMITTED;
  }
}
