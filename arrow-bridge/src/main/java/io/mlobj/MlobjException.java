package io.mlobj;

/**
 * Base of every error mlobj raises. Messages follow one shape: {@code Cannot <verb> <object>:
 * <reason>. <how to fix>}; they never contain credentials. {@link #kind()} lets front ends map the
 * error to an exit code or a Flight status without parsing the message.
 *
 * <p>Stable API.
 */
public class MlobjException extends RuntimeException {
  /** What went wrong, coarsely; stable for scripts and protocol mappings. */
  public enum Kind {
    /** A bad argument or option from the caller. */
    INVALID_ARGUMENT,
    /** A dataset, version, tag or object that does not exist. */
    NOT_FOUND,
    /** Something that must not exist already does (a dataset, a tag). */
    ALREADY_EXISTS,
    /** A concurrent writer won and the change cannot be rebased. */
    CONFLICT,
    /** Stored bytes are damaged: checksum mismatch, truncation, malformed metadata. */
    CORRUPT,
    /** Credentials were refused. */
    PERMISSION_DENIED,
    /** The store failed or could not be reached. */
    STORAGE,
    /** A commit may or may not have happened; re-read before doing anything. */
    UNKNOWN_STATE
  }

  private final Kind kind;

  public MlobjException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public MlobjException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** The category of the failure. */
  public Kind kind() {
    return kind;
  }
}
