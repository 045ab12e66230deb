package io.mlobj.commit;

import io.mlobj.MlobjException;

/**
 * The commit did not happen and will not: nothing of it is visible, so its shards may be retried in
 * a new commit or deleted.
 *
 * <p>Stable API.
 */
public class CommitFailedException extends MlobjException {
  public CommitFailedException(Kind kind, String message, Throwable cause) {
    super(kind, message, cause);
  }
}
