package io.mlobj;

/**
 * One version in a dataset's log, as {@link Dataset#historyEntries(int)} lists it: intact, with its
 * snapshot, or damaged, with the error that reading it raises.
 *
 * @param version the version number
 * @param snapshot the version, or null when its file cannot be read
 * @param damage why the version file cannot be read (names dataset, version and file), or null
 */
public record HistoryEntry(long version, Snapshot snapshot, MlobjException damage) {
  /** Whether the version file was read. */
  public boolean intact() {
    return snapshot != null;
  }

  /** What is wrong with a damaged version file, without advice (e.g. for one table cell). */
  public String damageReason() {
    if (damage == null) {
      return null;
    }
    return damage.getCause() instanceof UnreadableFileException u
        ? u.reason()
        : damage.getMessage();
  }
}
