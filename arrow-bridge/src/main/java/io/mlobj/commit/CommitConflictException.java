package io.mlobj.commit;

/**
 * A concurrent commit changed what this commit depends on (e.g. two overwrites of the same
 * partition) and it cannot be rebased. The message names both versions. Nothing was committed.
 *
 * <p>Stable API.
 */
public class CommitConflictException extends CommitFailedException {
  private final long readVersion;
  private final long conflictingVersion;

  public CommitConflictException(String message, long readVersion, long conflictingVersion) {
    super(Kind.CONFLICT, message, null);
    this.readVersion = readVersion;
    this.conflictingVersion = conflictingVersion;
  }

  /** The version the failed commit was based on. */
  public long readVersion() {
    return readVersion;
  }

  /** The version that conflicts with it. */
  public long conflictingVersion() {
    return conflictingVersion;
  }
}
