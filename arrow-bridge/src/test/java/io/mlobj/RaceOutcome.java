package io.mlobj;

import io.mlobj.commit.CommitConflictException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * How a commit raced against concurrent writers ended: it made {@code won}, or lost with {@code
 * lost}; exactly one is set.
 *
 * @param won the committed snapshot, or null
 * @param lost the conflict, or null
 */
record RaceOutcome(Snapshot won, CommitConflictException lost) {
  /**
   * Commits {@code commit} while {@code racers} run on {@code pool}, then waits for each racer (at
   * most {@code timeoutSeconds}; a racer's failure fails the test) and shuts the pool down.
   */
  static RaceOutcome commitAgainst(
      Commit commit, List<Future<?>> racers, ExecutorService pool, long timeoutSeconds)
      throws Exception {
    RaceOutcome outcome;
    try {
      outcome = new RaceOutcome(commit.commit(), null);
    } catch (CommitConflictException e) {
      outcome = new RaceOutcome(null, e);
    }
    for (Future<?> racer : racers) {
      racer.get(timeoutSeconds, TimeUnit.SECONDS);
    }
    pool.shutdownNow();
    return outcome;
  }
}
