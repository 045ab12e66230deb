package io.mlobj.internal.arrow;

import java.io.IOException;

/**
 * A Parquet page whose bytes do not match the CRC stored in its header: the object is damaged.
 * Thrown by a ranged block read; the kernel turns it into an error naming the dataset, version and
 * object as well.
 */
public final class DamagedPageException extends IOException {
  private final int rowGroup;
  private final String column;

  DamagedPageException(int rowGroup, String column, Throwable cause) {
    super(
        "page CRC mismatch in row group " + rowGroup + (column == null ? "" : ", column " + column),
        cause);
    this.rowGroup = rowGroup;
    this.column = column;
  }

  /** The row group holding the damaged page. */
  public int rowGroup() {
    return rowGroup;
  }

  /** The column (its path in the file's schema) holding the damaged page, or null if unknown. */
  public String column() {
    return column;
  }
}
