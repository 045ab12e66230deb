package io.mlobj;

/**
 * A metadata file (version file, manifest, tag) that exists but cannot be read: not UTF-8 JSON, not
 * the expected structure, or written in a format version this library does not support. Kind {@link
 * Kind#CORRUPT}. {@link #reason()} says what is wrong without the advice around it, so a caller can
 * word its own message (e.g. one line of {@code mlobj history}).
 */
public final class UnreadableFileException extends MlobjException {
  private final String uri;
  private final String reason;
  private final boolean unsupportedFormat;

  UnreadableFileException(String uri, String reason, boolean unsupportedFormat, String message) {
    super(Kind.CORRUPT, message);
    this.uri = uri;
    this.reason = reason;
    this.unsupportedFormat = unsupportedFormat;
  }

  /** The file. */
  public String uri() {
    return uri;
  }

  /** What is wrong with it, e.g. {@code it is not valid JSON at byte 0 (...)}. */
  public String reason() {
    return reason;
  }

  /**
   * Whether the file is well-formed but carries a {@code format-version} this library cannot read
   * (written by a newer mlobj), rather than being damaged.
   */
  public boolean unsupportedFormat() {
    return unsupportedFormat;
  }
}
