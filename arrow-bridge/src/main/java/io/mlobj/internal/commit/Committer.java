package io.mlobj.internal.commit;

import io.mlobj.MlobjConf;
import io.mlobj.MlobjErrors;
import io.mlobj.MlobjException;
import io.mlobj.Shard;
import io.mlobj.VersionSummary;
import io.mlobj.arrow.SchemaCodec;
import io.mlobj.commit.CommitConflictException;
import io.mlobj.commit.CommitFailedException;
import io.mlobj.commit.CommitStateUnknownException;
import io.mlobj.internal.format.FormatCodec;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.internal.format.ManifestRef;
import io.mlobj.internal.format.PartitionCodec;
import io.mlobj.internal.format.VersionLog;
import io.mlobj.internal.format.VersionRecord;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.ObjectStoreException;
import io.mlobj.store.PreconditionFailedException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optimistic commit loop. A version becomes visible by writing {@code
 * _mlobj/versions/<N+1>.json} with create-if-absent semantics ({@link ObjectStore#putIfAbsent}): of
 * two racing committers exactly one wins. A warm append costs two round trips: the new manifest
 * (alongside the latest hint and any merged manifests), then the version file. The loser re-reads
 * the latest version, checks that the winner did not change what it depends on, re-applies its
 * change on top and retries with jittered exponential backoff. Whether a lost race rebases or
 * conflicts is {@link ConflictRule}'s call (the table of docs/FORMAT.md §6.2); the next version's
 * manifests come from {@link ManifestMerger}.
 *
 * <p>Failure cases:
 *
 * <ul>
 *   <li>Lost race, rebasable (appends): retried until {@link MlobjConf#COMMIT_MAX_ATTEMPTS}.
 *   <li>Lost race, not rebasable (overwrite vs overwrite of the same partition): {@link
 *       CommitConflictException} naming both versions; nothing visible.
 *   <li>The version write failed with an unclear outcome (timeout, reset): the version file is
 *       re-read; if it carries this commit's transaction id the commit succeeded, if another's it
 *       lost the race, if absent the write is retried (safe: create-if-absent). If it cannot be
 *       re-read, {@link CommitStateUnknownException}: never delete the shards then.
 *   <li>An SDK-level retry of a write that had in fact succeeded returns 412; the transaction id
 *       check recognises the commit as our own.
 * </ul>
 */
public final class Committer {
  private static final Logger LOG = LoggerFactory.getLogger(Committer.class);

  private final VersionLog log;
  private final MlobjConf conf;
  private final String transactionId = UUID.randomUUID().toString();
  private final ManifestMerger merger;

  public Committer(VersionLog log, MlobjConf conf) {
    this.log = log;
    this.conf = conf;
    this.merger = new ManifestMerger(log, transactionId);
  }

  private ObjectStore store() {
    return log.store();
  }

  private String uri() {
    return store().root();
  }

  /**
   * The version a commit landed on.
   *
   * @param record the new version, or the latest one when already committed
   * @param alreadyCommitted whether the request's application transaction was already recorded
   */
  public record Result(VersionRecord record, boolean alreadyCommitted) {}

  /**
   * Commits the request. The new shards' manifest and the latest hint are written on other threads
   * while the latest version is found and the next one built (with any merged manifests); the
   * version file is written once the manifests are. A handle that has seen a version builds on the
   * newest one it saw without asking the store (a single writer's handle is always right); when
   * another writer committed meanwhile the conditional write is refused and the commit finds the
   * latest version and tries again at once: a stale guess is not a lost race, so it neither backs
   * off nor counts as an attempt. Nothing this commit started is still running when it returns.
   */
  public Result commit(CommitRequest request) {
    ConditionalWrites.ensureSafe(store(), conf);
    ManifestRef addedManifest = merger.addedRef(request.added());
    BackgroundWrite addedWrite =
        BackgroundWrite.start(
            addedManifest == null ? null : () -> merger.writeAdded(request.added()));
    List<BackgroundWrite> started = new ArrayList<>(List.of(addedWrite));
    try {
      return commit(request, addedManifest, addedWrite, started);
    } finally {
      started.forEach(BackgroundWrite::awaitQuietly);
    }
  }

  private Result commit(
      CommitRequest request,
      ManifestRef addedManifest,
      BackgroundWrite addedWrite,
      List<BackgroundWrite> started) {
    int maxAttempts = Math.max(1, conf.getInt(MlobjConf.COMMIT_MAX_ATTEMPTS, 100));
    boolean guess = log.knownLatest() > 0;
    boolean first = true;
    for (int attempt = 1; ; ) {
      long latestVersion = guess ? log.knownLatest() : log.latestVersion();
      VersionRecord latest =
          latestVersion == 0 ? null : RollbackBase.latest(log, request, latestVersion);
      if (first && log.hintBehind(latestVersion)) {
        // Readers probe forward from the hint, so naming the version this commit builds on (which
        // exists) costs them nothing; written now, it overlaps the commit's other requests.
        long hint = latestVersion;
        started.add(BackgroundWrite.start(() -> log.writeHint(hint)));
      }
      first = false;
      if (request.create() && latest != null) {
        throw MlobjErrors.datasetExists(uri(), latestVersion);
      }
      if (latest == null && request.schema() == null) {
        throw MlobjErrors.datasetNotFound(uri());
      }
      Optional<VersionRecord> done = alreadyCommitted(request, latest);
      if (done.isPresent() && guess) {
        // Report the latest version, not the newest this handle saw.
        guess = false;
        continue;
      }
      if (done.isPresent()) {
        return new Result(done.get(), true);
      }
      checkConflicts(request, latestVersion);
      VersionRecord next = apply(request, latest, addedManifest);
      String key = LogLayout.versionKey(next.version());
      addedWrite.await();
      try {
        store().putIfAbsent(key, FormatCodec.writeVersion(next), Map.of());
        return committed(next);
      } catch (PreconditionFailedException lost) {
        if (isOurs(next.version())) {
          return committed(next);
        }
      } catch (ObjectStoreException unclear) {
        Optional<VersionRecord> landed;
        try {
          landed = log.find(next.version());
        } catch (MlobjException e) {
          throw new CommitStateUnknownException(
              "Cannot tell whether version "
                  + next.version()
                  + " of dataset "
                  + uri()
                  + " was committed: writing it failed ("
                  + unclear.getMessage()
                  + ") and re-reading it failed too ("
                  + e.getMessage()
                  + "). Re-read the dataset before retrying; do not delete this write's shards.",
              e);
        }
        if (landed.isPresent() && transactionId.equals(landed.get().transactionId())) {
          return committed(landed.get());
        }
        LOG.warn("Retrying commit to {} after a store error: {}", uri(), unclear.getMessage());
      }
      if (guess) {
        guess = false;
        continue;
      }
      if (attempt >= maxAttempts) {
        throw new CommitFailedException(
            MlobjException.Kind.CONFLICT,
            "Cannot commit to dataset "
                + uri()
                + ": lost the race for a new version "
                + attempt
                + " times. Retry later or raise "
                + MlobjConf.COMMIT_MAX_ATTEMPTS
                + ".",
            null);
      }
      backoff(attempt);
      attempt++;
    }
  }

  private boolean isOurs(long version) {
    return log.find(version).map(r -> transactionId.equals(r.transactionId())).orElse(false);
  }

  private Result committed(VersionRecord record) {
    // The hint is left naming the version before: the next commit, or a reader probing forward,
    // finds this one (docs/FORMAT.md §5).
    log.remember(record);
    return new Result(record, false);
  }

  private static void backoff(int attempt) {
    long cap = Math.min(2000, 10L << Math.min(attempt, 8));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, cap + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommitFailedException(MlobjException.Kind.STORAGE, "Commit interrupted", e);
    }
  }

  /** For idempotent writers: the version that already recorded this transaction, if any. */
  private Optional<VersionRecord> alreadyCommitted(CommitRequest request, VersionRecord latest) {
    if (request.appTransactionId() == null || latest == null) {
      return Optional.empty();
    }
    String recorded = latest.properties().get(appTxnKey(request.appTransactionId()));
    if (recorded != null && Long.parseLong(recorded) >= request.appTransactionNumber()) {
      return Optional.of(latest);
    }
    return Optional.empty();
  }

  /** The dataset property holding a writer's last committed transaction number. */
  public static String appTxnKey(String appTransactionId) {
    return "mlobj.app-txn." + appTransactionId;
  }

  /**
   * Rejects the commit if a version after the one it read changed what it depends on, by the rule
   * for its kind ({@link ConflictRule}, docs/FORMAT.md §6.2).
   */
  private void checkConflicts(CommitRequest request, long latestVersion) {
    ConflictRule rule = ConflictRule.of(request);
    if (rule == ConflictRule.REBASE || request.readVersion() <= 0) {
      return;
    }
    for (long v = request.readVersion() + 1; v <= latestVersion; v++) {
      VersionRecord other = log.read(v);
      VersionSummary s = other.summary();
      if (rule.conflicts(request, other)) {
        throw new CommitConflictException(
            "Cannot commit "
                + request.operation()
                + " to dataset "
                + uri()
                + ": version "
                + v
                + " ("
                + s.operation()
                + " by "
                + s.engine()
                + (s.appId() == null ? "" : " " + s.appId())
                + ") changed the data this "
                + request.operation()
                + " read at version "
                + request.readVersion()
                + ". Re-run it on the latest version.",
            request.readVersion(),
            v);
      }
    }
  }

  /** Builds the next version record from the latest one. */
  private VersionRecord apply(CommitRequest request, VersionRecord latest, ManifestRef added) {
    long version = latest == null ? 1 : latest.version() + 1;
    Schema schema;
    List<String> partitionColumns;
    Map<String, String> properties = new TreeMap<>();
    if (latest == null) {
      schema = request.schema();
      partitionColumns =
          request.partitionColumns() == null ? List.of() : request.partitionColumns();
    } else {
      properties.putAll(latest.properties());
      partitionColumns = latest.partitionColumns();
      Schema current = decode(latest);
      schema =
          request.rollbackTo() > 0
              ? decode(log.read(request.rollbackTo()))
              : evolve(current, request);
    }
    ManifestMerger.Merged merged = merger.merge(request, latest, version, added);
    List<ManifestRef> manifests = merged.manifests();
    List<Shard> removed = merged.removed();
    properties.putAll(request.setProperties());
    request.removeProperties().forEach(properties::remove);
    if (request.appTransactionId() != null) {
      properties.put(
          appTxnKey(request.appTransactionId()), String.valueOf(request.appTransactionNumber()));
    }
    long totalRows = 0;
    long totalBytes = 0;
    long totalShards = 0;
    for (ManifestRef ref : manifests) {
      totalRows += ref.rows();
      totalBytes += ref.bytes();
      totalShards += ref.shards();
    }
    long rowsAdded = added == null ? 0 : added.rows();
    long bytesAdded = added == null ? 0 : added.bytes();
    long shardsAdded = added == null ? 0 : added.shards();
    long rowsRemoved = removed.stream().mapToLong(Shard::rows).sum();
    long bytesRemoved = removed.stream().mapToLong(Shard::bytes).sum();
    if (request.rollbackTo() > 0) {
      // A rollback adds back the target's shards; report the net change.
      long before = latest.summary().totalRows();
      rowsAdded = Math.max(0, totalRows - (before - rowsRemoved));
      bytesAdded = Math.max(0, totalBytes - (latest.summary().totalBytes() - bytesRemoved));
      shardsAdded = Math.max(0, totalShards - (latest.summary().totalShards() - removed.size()));
    }
    VersionSummary summary =
        new VersionSummary(
            request.operation(),
            System.currentTimeMillis(),
            request.engine(),
            request.appId(),
            request.user(),
            rowsAdded,
            rowsRemoved,
            bytesAdded,
            bytesRemoved,
            shardsAdded,
            removed.size(),
            totalRows,
            totalBytes,
            totalShards,
            request.summaryProperties());
    return new VersionRecord(
        FormatCodec.CURRENT_FORMAT_VERSION,
        version,
        latest == null ? 0 : latest.version(),
        transactionId,
        SchemaCodec.toBase64(schema),
        partitionColumns,
        properties,
        manifests,
        changedPartitions(partitionColumns, request, removed, latest == null),
        summary);
  }

  private Schema evolve(Schema current, CommitRequest request) {
    if (request.schema() == null) {
      return current;
    }
    if (request.replaceSchema()) {
      return request.schema();
    }
    try {
      return SchemaEvolution.merge(current, request.schema());
    } catch (IllegalArgumentException e) {
      throw MlobjErrors.incompatibleSchema(uri(), e.getMessage());
    }
  }

  private Schema decode(VersionRecord record) {
    try {
      return SchemaCodec.fromBase64(record.schema());
    } catch (IOException | RuntimeException e) {
      throw MlobjErrors.malformed(
          store().uri(LogLayout.versionKey(record.version())), "its schema cannot be decoded");
    }
  }

  private static List<Map<String, String>> changedPartitions(
      List<String> partitionColumns, CommitRequest request, List<Shard> removed, boolean first) {
    if (partitionColumns.isEmpty() || request.removeAll() || request.rollbackTo() > 0 || first) {
      return null;
    }
    Map<String, Map<String, String>> out = new TreeMap<>();
    for (List<Shard> shards : List.of(request.added(), removed)) {
      for (Shard shard : shards) {
        Map<String, String> partition =
            PartitionCodec.structured(partitionColumns, shard.partition());
        out.put(PartitionCodec.keyPath(partition), partition);
      }
    }
    return List.copyOf(out.values());
  }
}
