package io.mlobj.internal.commit;

import io.mlobj.Dataset;
import io.mlobj.Durations;
import io.mlobj.MlobjConf;
import io.mlobj.MlobjException;
import io.mlobj.Shard;
import io.mlobj.commit.CommitFailedException;
import io.mlobj.store.ObjectInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Checks that a commit's shards exist before its version file is written. Vacuum deletes
 * unreferenced objects older than its safety window, and a write's shards are unreferenced until
 * its commit: a writer that outlives the window may find some deleted, and committing them would
 * publish a version whose data is gone. The check runs when asked, or when the write began longer
 * ago than {@link MlobjConf#COMMIT_CHECK_SHARDS_AFTER}.
 */
public final class ShardPresence {
  /** Default of {@link MlobjConf#COMMIT_CHECK_SHARDS_AFTER}: half the vacuum's default window. */
  public static final Duration DEFAULT_CHECK_AFTER = Duration.ofHours(12);

  private ShardPresence() {}

  /**
   * Checks the shards if {@code always}, if {@link MlobjConf#COMMIT_CHECK_SHARDS} is true, or if
   * {@code writeStartedMillis} lies further back than {@link MlobjConf#COMMIT_CHECK_SHARDS_AFTER}.
   *
   * @param writeStartedMillis when the write began, or {@link Long#MAX_VALUE} when unknown
   * @throws CommitFailedException naming the missing shards; nothing was committed
   */
  public static void checkBeforeCommit(
      Dataset dataset, List<Shard> shards, boolean always, long writeStartedMillis) {
    if (shards.isEmpty()) {
      return;
    }
    MlobjConf conf = dataset.conf();
    Duration after =
        Durations.get(
            conf, MlobjConf.COMMIT_CHECK_SHARDS_AFTER, DEFAULT_CHECK_AFTER, TimeUnit.MILLISECONDS);
    long age =
        writeStartedMillis == Long.MAX_VALUE ? -1 : System.currentTimeMillis() - writeStartedMillis;
    boolean old = age >= 0 && age > after.toMillis();
    if (!always && !old && !conf.getBoolean(MlobjConf.COMMIT_CHECK_SHARDS, false)) {
      return;
    }
    List<String> problems = new ArrayList<>();
    for (Shard shard : shards) {
      Optional<ObjectInfo> info = dataset.store().head(shard.path());
      if (info.isEmpty()) {
        problems.add(shard.path() + " (missing)");
      } else if (info.get().size() != shard.bytes()) {
        problems.add(
            shard.path() + " (" + info.get().size() + " bytes, not " + shard.bytes() + ")");
      }
    }
    if (problems.isEmpty()) {
      return;
    }
    String why =
        old
            ? "the write began "
                + Durations.format(
                    Duration.ofMillis(age).truncatedTo(java.time.temporal.ChronoUnit.MINUTES))
                + " ago, longer than "
                + MlobjConf.COMMIT_CHECK_SHARDS_AFTER
                + "="
                + Durations.format(after)
                + ", and a vacuum deletes uncommitted shards older than its safety window (default"
                + " 24h)"
            : "they were deleted after they were written (a vacuum with a short safety window, or"
                + " outside mlobj)";
    throw new CommitFailedException(
        MlobjException.Kind.NOT_FOUND,
        "Cannot commit to dataset "
            + dataset.uri()
            + ": "
            + problems.size()
            + " of its "
            + shards.size()
            + " shards are gone or changed ("
            + String.join(", ", problems.subList(0, Math.min(5, problems.size())))
            + (problems.size() > 5 ? ", ..." : "")
            + "); "
            + why
            + ". Nothing was committed; write the data again and commit within the vacuum safety"
            + " window.",
        null);
  }
}
