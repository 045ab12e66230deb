package io.mlobj.internal.format;

import io.mlobj.MlobjException;

/**
 * One version file that exists in the log: its record when it can be read, or why it cannot
 * (damaged bytes, an unknown format version). Finding the latest version only needs to know that a
 * file exists, so a damaged newest version does not hide the versions before it.
 *
 * @param version the version number (from the file name)
 * @param record the parsed record, or null when damaged
 * @param damage why the file cannot be read (an error naming dataset, version and file), or null
 */
public record VersionFile(long version, VersionRecord record, MlobjException damage) {
  /** Whether the file was read. */
  public boolean intact() {
    return record != null;
  }

  /** The record; a damaged file throws its error. */
  public VersionRecord recordOrThrow() {
    if (record == null) {
      throw damage;
    }
    return record;
  }
}
