package io.mlobj;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a version did, as recorded in its summary ({@code operation}, docs/FORMAT.md §2.1), and what
 * that means for a reader of changes ({@link Dataset#changes}). Stable API.
 *
 * <p>The rows of a version's added shards are <em>new</em> (never seen in an earlier version) for
 * {@link #CREATE}, {@link #APPEND} and {@link #OVERWRITE}; an incremental read emits them. A {@link
 * #REPLACE} (compaction) re-writes rows that stay, a {@link #ROLLBACK} restores rows of an older
 * version, and {@link #DELETE}, {@link #SET_PROPERTIES} and {@link #EVOLVE_SCHEMA} add no shards:
 * none of them has new rows. Rows an overwrite or delete removes are not retracted from an
 * incremental read; {@link Change#removed()} names their shards.
 */
public enum Operation {
  CREATE("create", true),
  APPEND("append", true),
  OVERWRITE("overwrite", true),
  DELETE("delete", false),
  /** Compaction: swaps shards for others holding the same rows. */
  REPLACE("replace", false),
  ROLLBACK("rollback", false),
  SET_PROPERTIES("set-properties", false),
  EVOLVE_SCHEMA("evolve-schema", false);

  private final String id;
  private final boolean addsNewRows;

  Operation(String id, boolean addsNewRows) {
    this.id = id;
    this.addsNewRows = addsNewRows;
  }

  /** The name stored in version files, e.g. {@code set-properties}. */
  @JsonValue
  public String id() {
    return id;
  }

  /** Whether the shards this operation adds hold rows no earlier version had. */
  public boolean addsNewRows() {
    return addsNewRows;
  }

  /** The operation stored as {@code id}; an unknown name is an error naming the known ones. */
  @JsonCreator
  public static Operation fromId(String id) {
    for (Operation op : values()) {
      if (op.id.equals(id)) {
        return op;
      }
    }
    throw new IllegalArgumentException(
        "unknown operation '"
            + id
            + "' (known: "
            + java.util.Arrays.stream(values()).map(Operation::id).toList()
            + ")");
  }

  /** The stored name. */
  @Override
  public String toString() {
    return id;
  }
}
