package io.mlobj.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.Dataset;
import io.mlobj.Shard;
import io.mlobj.flink.StringRows;
import io.mlobj.ops.Progress;
import io.mlobj.ops.Vacuum;
import io.mlobj.testing.EmbeddedS3Extension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.connector.sink2.Committer.CommitRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The committer's exactly-once contract against a real dataset: a committable replayed after
 * recovery commits nothing, and a committable going through the committable serializer (as it does
 * through a checkpoint) commits the same shards.
 */
class MlobjCommitterITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static final JobInfo JOB =
      new JobInfo() {
        private final JobID id = new JobID();

        @Override
        public JobID getJobId() {
          return id;
        }

        @Override
        public String getJobName() {
          return "committer test";
        }
      };

  /** A request that records what the committer decided. */
  private static final class Request implements CommitRequest<MlobjCommittable> {
    final MlobjCommittable committable;
    String outcome = "committed";

    Request(MlobjCommittable committable) {
      this.committable = committable;
    }

    @Override
    public MlobjCommittable getCommittable() {
      return committable;
    }

    @Override
    public int getNumberOfRetries() {
      return 0;
    }

    @Override
    public void signalFailedWithKnownReason(Throwable t) {
      outcome = "failed: " + t.getMessage();
    }

    @Override
    public void signalFailedWithUnknownReason(Throwable t) {
      outcome = "failed: " + t.getMessage();
    }

    @Override
    public void retryLater() {
      outcome = "retry";
    }

    @Override
    public void updateAndRetryLater(MlobjCommittable committable) {
      outcome = "retry";
    }

    @Override
    public void signalAlreadyCommitted() {
      outcome = "already committed";
    }
  }

  @Test
  void replayedCommittableAfterRecoveryCommitsNothing() throws Exception {
    String uri = S3.newDatasetUri();
    Dataset dataset = Dataset.create(uri, S3.conf(), StringRows.SCHEMA, List.of(), Map.of());
    WriteSettings settings =
        new WriteSettings(uri, S3.conf(), StringRows.SCHEMA, Map.of(), 100, "replay-test");
    MlobjCommitter committer = new MlobjCommitter(settings, JOB);
    List<Shard> shards = StringRows.write(dataset, List.of("a", "b"));
    MlobjCommittable committable = new MlobjCommittable("replay-test/job1", 7, shards);

    Request first = new Request(committable);
    committer.commit(List.of(first));
    long versionAfterFirst = dataset.latestVersion();

    // Recovery: the committable comes back from the checkpoint and is committed again.
    MlobjCommittableSerializer serializer = new MlobjCommittableSerializer();
    MlobjCommittable restored =
        serializer.deserialize(serializer.getVersion(), serializer.serialize(committable));
    Request replay = new Request(restored);
    committer.commit(List.of(replay));

    assertThat(first.outcome).isEqualTo("committed");
    assertThat(replay.outcome).isEqualTo("committed");
    assertThat(dataset.latestVersion()).isEqualTo(versionAfterFirst);
    assertThat(StringRows.readAll(dataset)).containsExactlyInAnyOrder("a", "b");
    assertThat(dataset.latest().appTransactions()).containsEntry("replay-test/job1", 7L);
  }

  @Test
  void committablesOfSeveralCheckpointsCommitInCheckpointOrder() {
    String uri = S3.newDatasetUri();
    Dataset dataset = Dataset.create(uri, S3.conf(), StringRows.SCHEMA, List.of(), Map.of());
    WriteSettings settings =
        new WriteSettings(uri, S3.conf(), StringRows.SCHEMA, Map.of(), 100, "order-test");
    MlobjCommitter committer = new MlobjCommitter(settings, JOB);
    Request later =
        new Request(new MlobjCommittable("w", 9, StringRows.write(dataset, List.of("nine"))));
    Request earlier =
        new Request(new MlobjCommittable("w", 8, StringRows.write(dataset, List.of("eight"))));

    committer.commit(List.of(later, earlier));

    assertThat(StringRows.readAll(dataset)).containsExactly("eight", "nine");
    assertThat(dataset.latest().summary().properties()).containsEntry("flink.checkpoint", "9");
  }

  /** Shards written for a committable and then deleted by a vacuum, as if the write were old. */
  private static List<Shard> vacuumedShards(Dataset dataset) {
    List<Shard> shards = StringRows.write(dataset, List.of("lost"));
    Vacuum.builder(dataset).safetyWindow(Duration.ZERO).dryRun(false).build().run(Progress.NONE);
    return shards;
  }

  @Test
  void committableOfAnOldWriteFailsWhenItsShardsWereVacuumed() {
    String uri = S3.newDatasetUri();
    Dataset dataset = Dataset.create(uri, S3.conf(), StringRows.SCHEMA, List.of(), Map.of());
    WriteSettings settings =
        new WriteSettings(uri, S3.conf(), StringRows.SCHEMA, Map.of(), 100, "old-write-test");
    MlobjCommitter committer = new MlobjCommitter(settings, JOB);
    List<Shard> shards = vacuumedShards(dataset);
    long dayAgo = System.currentTimeMillis() - Duration.ofHours(25).toMillis();
    Request request = new Request(new MlobjCommittable("w", 3, shards, dayAgo));

    // A refused commit fails the job without restarts (a retry would be refused the same way).
    assertThatThrownBy(() -> committer.commit(List.of(request)))
        .isInstanceOf(org.apache.flink.runtime.execution.SuppressRestartsException.class)
        .cause()
        .hasMessageStartingWith("Cannot commit to dataset " + uri)
        .hasMessageContaining(shards.get(0).path() + " (missing)")
        .hasMessageContaining("the write began 25h ago");
    assertThat(dataset.latestVersion()).isEqualTo(1);
  }

  @Test
  void committableRestoredFromAnOlderConnectorChecksItsShards() throws Exception {
    String uri = S3.newDatasetUri();
    Dataset dataset = Dataset.create(uri, S3.conf(), StringRows.SCHEMA, List.of(), Map.of());
    WriteSettings settings =
        new WriteSettings(uri, S3.conf(), StringRows.SCHEMA, Map.of(), 100, "v1-test");
    MlobjCommitter committer = new MlobjCommitter(settings, JOB);
    List<Shard> shards = vacuumedShards(dataset);
    // Version 1 of the committable layout: no write start after the shards.
    org.apache.flink.core.memory.DataOutputSerializer v1 =
        new org.apache.flink.core.memory.DataOutputSerializer(256);
    v1.writeUTF("w");
    v1.writeLong(4);
    v1.writeInt(1);
    byte[] json = shards.get(0).toJson();
    v1.writeInt(json.length);
    v1.write(json);
    MlobjCommittable restored =
        new MlobjCommittableSerializer().deserialize(1, v1.getCopyOfBuffer());
    Request request = new Request(restored);

    assertThatThrownBy(() -> committer.commit(List.of(request)))
        .cause()
        .hasMessageContaining(shards.get(0).path() + " (missing)");
    assertThat(restored.writeStartedMillis()).isEqualTo(MlobjCommittable.UNKNOWN_START);
    assertThat(dataset.latestVersion()).isEqualTo(1);
  }
}
