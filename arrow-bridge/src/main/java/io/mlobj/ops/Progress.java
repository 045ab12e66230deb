package io.mlobj.ops;

/**
 * Receives progress of long operations (verify, vacuum, compaction); e.g. a CLI progress bar.
 *
 * <p>Stable API.
 */
@FunctionalInterface
public interface Progress {
  /** No progress reporting. */
  Progress NONE = (done, total, bytes) -> {};

  /**
   * Called after each unit of work.
   *
   * @param done units done so far
   * @param total units in all
   * @param bytes bytes processed so far
   */
  void update(long done, long total, long bytes);
}
