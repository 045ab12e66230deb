package io.mlobj.commit;

import io.mlobj.MlobjException;

/**
 * The commit may or may not have happened (the store failed while the version file was being
 * written and could not be re-read). Re-read the dataset before doing anything; never delete the
 * commit's shards, since a committed version may reference them.
 *
 * <p>Stable API.
 */
public class CommitStateUnknownException extends MlobjException {
  public CommitStateUnknownException(String message, Throwable cause) {
    super(Kind.UNKNOWN_STATE, message, cause);
  }
}
