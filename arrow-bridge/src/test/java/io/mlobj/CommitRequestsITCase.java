package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.internal.format.FormatCodec;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.internal.store.CountingObjectStore;
import io.mlobj.store.ObjectStores;
import io.mlobj.testing.EmbeddedS3Extension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store requests of a commit, counted on the embedded S3 server (docs/FORMAT.md §5, §6.1): a
 * one-shard append on a handle that has seen the latest version writes its manifest, the latest
 * hint and the version file and reads nothing; a stale handle is corrected by the conditional write
 * without losing an attempt; readers find the latest version from a hint that trails it by one, or
 * names it, without listing the log.
 */
class CommitRequestsITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static final Schema SCHEMA =
      new Schema(List.of(Field.notNullable("id", new ArrowType.Int(64, true))));

  private int next;

  private List<Shard> shards(int count) {
    List<Shard> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(
          new Shard(
              LogLayout.DATA + "00/s-" + next++ + ".parquet",
              ShardFormat.PARQUET,
              10,
              100,
              0,
              List.of(10L),
              Map.of(),
              Map.of(),
              Map.of()));
    }
    return out;
  }

  private static CountingObjectStore counting(String uri, Map<String, String> conf) {
    return new CountingObjectStore(ObjectStores.open(uri, MlobjConf.of(conf)));
  }

  private static long calls(CountingObjectStore store) {
    long total = 0;
    for (String op : List.of("read", "readRange", "head", "list", "put", "putIfAbsent", "delete")) {
      total += store.calls(op);
    }
    return total;
  }

  private static long hint(CountingObjectStore store) {
    return FormatCodec.readLatestHint(store.read(LogLayout.LATEST_HINT));
  }

  @Test
  void aOneShardAppendOnAWarmHandleWritesManifestHintAndVersionAndReadsNothing() {
    String uri = S3.newDatasetUri();
    Dataset.create(uri, S3.conf(), SCHEMA, List.of(), Map.of());
    CountingObjectStore store = counting(uri, S3.conf());
    Dataset dataset = Dataset.at(store, MlobjConf.of(S3.conf()));
    dataset.newAppend().addShards(shards(1)).commit();
    store.reset();

    Snapshot appended = dataset.newAppend().addShards(shards(1)).commit();

    assertThat(appended.version()).isEqualTo(3);
    assertThat(store.writes(LogLayout.MANIFESTS)).isEqualTo(1);
    assertThat(store.calls("putIfAbsent")).isEqualTo(1);
    assertThat(store.writes(LogLayout.LATEST_HINT)).isEqualTo(1);
    assertThat(calls(store)).as("every request of the append").isEqualTo(3);
    // The hint names the version the append built on, which existed when it was written.
    assertThat(hint(store)).isEqualTo(2);
    assertThat(Dataset.open(uri, S3.conf()).latest().shards()).hasSize(2);
  }

  @Test
  void aStaleHandleIsCorrectedByTheConditionalWriteWithoutUsingUpAnAttempt() {
    String uri = S3.newDatasetUri();
    Dataset.create(uri, S3.conf(), SCHEMA, List.of(), Map.of());
    Map<String, String> oneAttempt = new HashMap<>(S3.conf());
    oneAttempt.put(MlobjConf.COMMIT_MAX_ATTEMPTS, "1");
    CountingObjectStore store = counting(uri, oneAttempt);
    Dataset stale = Dataset.at(store, MlobjConf.of(oneAttempt));
    stale.newAppend().addShards(shards(1)).commit();
    Dataset other = Dataset.open(uri, S3.conf());
    other.newAppend().addShards(shards(2)).commit();
    other.newAppend().addShards(shards(3)).commit();
    store.reset();

    Snapshot appended = stale.newAppend().addShards(shards(1)).commit();

    assertThat(appended.version()).isEqualTo(5);
    assertThat(store.calls("putIfAbsent")).as("the refused guess and the write").isEqualTo(2);
    assertThat(store.calls("list")).isZero();
    Snapshot latest = Dataset.open(uri, S3.conf()).latest();
    assertThat(latest.version()).isEqualTo(5);
    assertThat(latest.shards()).hasSize(7);
    assertThat(latest.shards().stream().map(Shard::path).distinct()).hasSize(7);
  }

  @Test
  void anIdempotentCommitOnAStaleHandleReportsTheLatestVersion() {
    String uri = S3.newDatasetUri();
    Dataset.create(uri, S3.conf(), SCHEMA, List.of(), Map.of());
    Dataset stale = Dataset.open(uri, S3.conf());
    stale.newAppend().addShards(shards(1)).idempotent("job", 1).commit();
    Dataset.open(uri, S3.conf()).newAppend().addShards(shards(1)).commit();

    CommitOutcome replay =
        stale.newAppend().addShards(shards(1)).idempotent("job", 1).commitWithOutcome();

    assertThat(replay.status()).isEqualTo(CommitOutcome.Status.ALREADY_COMMITTED);
    assertThat(replay.snapshot().version()).isEqualTo(3);
  }

  @Test
  void aReaderFindsTheLatestVersionFromATrailingHintWithThreeReadsAndNoListing() {
    String uri = S3.newDatasetUri();
    Dataset dataset = Dataset.create(uri, S3.conf(), SCHEMA, List.of(), Map.of());
    for (int i = 0; i < 3; i++) {
      dataset.newAppend().addShards(shards(1)).commit();
    }
    CountingObjectStore store = counting(uri, S3.conf());
    assertThat(hint(store)).isEqualTo(3);
    store.reset();

    Snapshot latest = Dataset.at(store, MlobjConf.of(S3.conf())).latest();

    assertThat(latest.version()).isEqualTo(4);
    assertThat(store.calls("list")).isZero();
    assertThat(store.reads(LogLayout.LATEST_HINT)).isEqualTo(1);
    // Version 4 (found, so 3 exists) and version 5 (missing).
    assertThat(store.reads(LogLayout.VERSIONS)).isEqualTo(2);
  }

  @Test
  void aReaderFindsTheLatestVersionFromAHintNamingItAsOlderWritersLeaveIt() {
    String uri = S3.newDatasetUri();
    Dataset dataset = Dataset.create(uri, S3.conf(), SCHEMA, List.of(), Map.of());
    dataset.newAppend().addShards(shards(1)).commit();
    CountingObjectStore store = counting(uri, S3.conf());
    store.put(LogLayout.LATEST_HINT, "{\"version\":2}".getBytes(StandardCharsets.UTF_8), Map.of());
    store.reset();

    Snapshot latest = Dataset.at(store, MlobjConf.of(S3.conf())).latest();

    assertThat(latest.version()).isEqualTo(2);
    assertThat(store.calls("list")).isZero();
    assertThat(store.reads(LogLayout.LATEST_HINT)).isEqualTo(1);
    // Version 3 (missing) and version 2 (found).
    assertThat(store.reads(LogLayout.VERSIONS)).isEqualTo(2);
  }

  @Test
  void aHintNamingAMissingVersionIsOverwrittenByTheNextCommit() {
    String uri = S3.newDatasetUri();
    Dataset.create(uri, S3.conf(), SCHEMA, List.of(), Map.of())
        .newAppend()
        .addShards(shards(1))
        .commit();
    CountingObjectStore store = counting(uri, S3.conf());
    store.put(LogLayout.LATEST_HINT, "{\"version\":99}".getBytes(StandardCharsets.UTF_8), Map.of());
    Dataset dataset = Dataset.at(store, MlobjConf.of(S3.conf()));

    Snapshot appended = dataset.newAppend().addShards(shards(1)).commit();

    assertThat(appended.version()).isEqualTo(3);
    assertThat(hint(store)).isEqualTo(2);
  }
}
