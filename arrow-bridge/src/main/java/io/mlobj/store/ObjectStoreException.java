package io.mlobj.store;

import io.mlobj.MlobjException;

/**
 * A storage operation failed; the message names the operation and the object.
 *
 * <p>Stable API.
 */
public class ObjectStoreException extends MlobjException {
  public ObjectStoreException(Kind kind, String message, Throwable cause) {
    super(kind, message, cause);
  }

  public ObjectStoreException(String message, Throwable cause) {
    super(Kind.STORAGE, message, cause);
  }
}
