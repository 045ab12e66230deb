package io.mlobj.flink.sink;

import io.mlobj.Commit;
import io.mlobj.CommitOutcome;
import io.mlobj.Dataset;
import io.mlobj.Lineage;
import io.mlobj.MlobjException;
import io.mlobj.commit.CommitStateUnknownException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits one dataset version per checkpoint, exactly once.
 *
 * <p>Each commit is {@link io.mlobj.Commit#idempotent idempotent} under (writer id, checkpoint id):
 * the dataset records the last number committed for the writer id, and a commit whose number is not
 * above it commits nothing. Failure cases:
 *
 * <ul>
 *   <li><b>The job fails before the checkpoint completes</b> (after the writers uploaded shards):
 *       the checkpoint's committable is never committed; recovery restarts from the previous
 *       checkpoint and the rows are written again into new shards. The orphaned shards are
 *       invisible (no version lists them) and vacuum deletes them. No row is duplicated.
 *   <li><b>The checkpoint completes, the job fails before the commit</b>: the committable is in the
 *       completed checkpoint, so the restored committer commits it. No row is lost.
 *   <li><b>The commit succeeds, the job fails before Flink records it</b>: the restored committer
 *       replays the committable; its number is already recorded, so nothing is committed twice.
 *   <li><b>The commit comes long after the write</b> (a job restored from an old checkpoint): a
 *       committable whose write began longer ago than {@code mlobj.commit.check-shards-after} (or
 *       whose start is unknown) has its shards checked first; if a vacuum deleted them, the request
 *       fails naming them and no version is written.
 *   <li><b>The commit's outcome is unknown</b> (storage failed while writing the version): the
 *       request is retried later; the idempotency check makes the retry safe.
 *   <li><b>The dataset refuses the commit</b> (e.g. the rows lack a column that is NOT NULL in the
 *       dataset): nothing is committed and the job fails, without restarts, with the kernel's
 *       message; it never finishes as if the rows had been written.
 * </ul>
 *
 * Requests are committed in checkpoint order; once one fails, later ones are retried too, so a
 * later number never gets recorded before an earlier one.
 */
final class MlobjCommitter implements Committer<MlobjCommittable> {
  private static final Logger LOG = LoggerFactory.getLogger(MlobjCommitter.class);
  static final String ENGINE = "flink-2.3.0";

  private final WriteSettings settings;
  private final JobInfo job;

  MlobjCommitter(WriteSettings settings, JobInfo job) {
    this.settings = settings;
    this.job = job;
  }

  @Override
  public void commit(Collection<CommitRequest<MlobjCommittable>> requests) {
    List<CommitRequest<MlobjCommittable>> ordered = new ArrayList<>(requests);
    ordered.sort(Comparator.comparingLong(r -> r.getCommittable().number()));
    Dataset dataset = settings.dataset();
    boolean failed = false;
    for (CommitRequest<MlobjCommittable> request : ordered) {
      MlobjCommittable committable = request.getCommittable();
      if (failed) {
        request.retryLater();
        continue;
      }
      if (committable.shards().isEmpty()) {
        continue;
      }
      try {
        Commit commit = dataset.newAppend().addShards(committable.shards());
        // A committable may be committed long after its write (a slow checkpoint, a job restored
        // days later): the commit then checks that a vacuum did not delete its shards meanwhile.
        if (committable.writeStartedMillis() == MlobjCommittable.UNKNOWN_START) {
          commit.checkShardsExist();
        } else {
          commit.writeStartedAt(committable.writeStartedMillis());
        }
        CommitOutcome outcome =
            commit
                .schema(settings.schema())
                .idempotent(committable.writerId(), committable.number())
                .engine(ENGINE, job.getJobId().toHexString())
                .summary(Lineage.JOB, job.getJobName() + " (" + job.getJobId() + ")")
                .summary("flink.sink-id", settings.sinkId())
                .summary("flink.checkpoint", String.valueOf(committable.number()))
                .commitWithOutcome();
        // A replayed committable carries the very shards that were committed: never delete them.
        LOG.info(
            "{} checkpoint {} of sink {} to {} (latest version {})",
            outcome.alreadyCommitted() ? "Already committed" : "Committed",
            committable.number(),
            settings.sinkId(),
            settings.uri(),
            outcome.snapshot().version());
      } catch (CommitStateUnknownException e) {
        LOG.warn("Commit outcome unknown, retrying: {}", e.getMessage());
        failed = true;
        request.retryLater();
      } catch (MlobjException e) {
        failed = true;
        if (e.kind() == MlobjException.Kind.STORAGE) {
          request.retryLater();
        } else {
          // Flink's signalFailedWithKnownReason drops the committable and lets the job finish,
          // which would lose the rows silently. Fail the job instead; a retry would be refused the
          // same way, so without restarts.
          throw new SuppressRestartsException(e);
        }
      }
    }
  }

  @Override
  public void close() {}
}
