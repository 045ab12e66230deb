package io.mlobj.store;

/**
 * The object does not exist.
 *
 * <p>Stable API.
 */
public class ObjectNotFoundException extends ObjectStoreException {
  private final String uri;

  public ObjectNotFoundException(String uri) {
    super(Kind.NOT_FOUND, "Cannot read " + uri + ": the object does not exist.", null);
    this.uri = uri;
  }

  /** The full URI of the missing object. */
  public String uri() {
    return uri;
  }
}
