package io.mlobj.ops;

import java.util.List;

/**
 * The result of verifying one version.
 *
 * @param dataset dataset URI
 * @param version the version verified
 * @param shardsChecked shards examined
 * @param bytesChecked bytes read
 * @param problems every damaged or missing shard, empty if the version is intact
 *     <p>Stable API.
 */
public record VerifyReport(
    String dataset, long version, long shardsChecked, long bytesChecked, List<Problem> problems) {

  /** What is wrong with one shard. */
  public enum Kind {
    MISSING,
    SIZE_MISMATCH,
    CHECKSUM_MISMATCH,
    UNREADABLE
  }

  /**
   * One damaged shard.
   *
   * @param object full URI of the shard object
   * @param kind what is wrong
   * @param message the full error message
   */
  public record Problem(String object, Kind kind, String message) {}

  /** Whether every shard is present and intact. */
  public boolean ok() {
    return problems.isEmpty();
  }
}
