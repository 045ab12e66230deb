package io.mlobj.store;

/**
 * A conditional write lost: the object already exists (HTTP 412 on S3).
 *
 * <p>Stable API.
 */
public class PreconditionFailedException extends ObjectStoreException {
  public PreconditionFailedException(String uri, Throwable cause) {
    super(
        Kind.ALREADY_EXISTS,
        "Cannot create " + uri + ": it already exists (another writer created it first).",
        cause);
  }
}
