package io.mlobj.commit;

import io.mlobj.MlobjConf;
import io.mlobj.MlobjErrors;
import io.mlobj.MlobjException;
import io.mlobj.Shard;
import io.mlobj.VersionSummary;
import io.mlobj.arrow.SchemaCodec;
import io.mlobj.format.FormatCodec;
import io.mlobj.format.LogLayout;
import io.mlobj.format.ManifestRecord;
import io.mlobj.format.ManifestRef;
import io.mlobj.format.VersionLog;
import io.mlobj.format.VersionRecord;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.ObjectStoreException;
import io.mlobj.store.PreconditionFailedException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optimistic commit loop. A version becomes visible by writing {@code
 * _mlobj/versions/<N+1>.json} with create-if-absent semantics ({@link ObjectStore#putIfAbsent}): of
 * two racing committers exactly one wins. The loser re-reads the latest version, checks that the
 * winner did not change what it depends on, re-applies its change on top and retries with jittered
 * exponential backoff.
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
  private static final int PARTITION_VALUES_LIMIT = 100;
  static final int MAX_MANIFESTS = 64;
  static final int SMALL_MANIFEST_SHARDS = 10_000;

  private final VersionLog log;
  private final MlobjConf conf;
  private final String transactionId = UUID.randomUUID().toString();

  public Committer(VersionLog log, MlobjConf conf) {
    this.log = log;
    this.conf = conf;
  }

  private ObjectStore store() {
    return log.store();
  }

  private String uri() {
    return store().root();
  }

  /**
   * Commits the request; returns the record of the new version (or of the one that already had it).
   */
  public VersionRecord commit(CommitRequest request) {
    ConditionalWrites.ensureSafe(store(), conf);
    ManifestRef addedManifest = writeAddedManifest(request);
    int maxAttempts = Math.max(1, conf.getInt(MlobjConf.COMMIT_MAX_ATTEMPTS, 100));
    for (int attempt = 1; ; attempt++) {
      long latestVersion = log.latestVersion();
      VersionRecord latest =
          latestVersion == 0 ? null : RollbackBase.latest(log, request, latestVersion);
      if (request.create() && latest != null) {
        throw MlobjErrors.datasetExists(uri(), latestVersion);
      }
      if (latest == null && request.schema() == null) {
        throw MlobjErrors.datasetNotFound(uri());
      }
      Optional<VersionRecord> done = alreadyCommitted(request, latest);
      if (done.isPresent()) {
        return done.get();
      }
      checkConflicts(request, latestVersion);
      VersionRecord next = apply(request, latest, addedManifest);
      String key = LogLayout.versionKey(next.version());
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
    }
  }

  private boolean isOurs(long version) {
    return log.find(version).map(r -> transactionId.equals(r.transactionId())).orElse(false);
  }

  private VersionRecord committed(VersionRecord record) {
    log.remember(record);
    log.writeHint(record.version());
    return record;
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

  private ManifestRef writeAddedManifest(CommitRequest request) {
    if (request.added().isEmpty()) {
      return null;
    }
    String key = LogLayout.manifestKey(transactionId, 0);
    log.writeManifest(key, new ManifestRecord(FormatCodec.CURRENT_FORMAT_VERSION, request.added()));
    return ref(key, -1, request.added());
  }

  private static ManifestRef ref(String key, long addedVersion, List<Shard> shards) {
    long rows = 0;
    long bytes = 0;
    Map<String, Set<String>> values = new TreeMap<>();
    boolean tooMany = false;
    for (Shard shard : shards) {
      rows += shard.rows();
      bytes += shard.bytes();
      for (Map.Entry<String, String> e : shard.partition().entrySet()) {
        Set<String> set = values.computeIfAbsent(e.getKey(), k -> new TreeSet<>());
        set.add(e.getValue());
        tooMany |= set.size() > PARTITION_VALUES_LIMIT;
      }
    }
    Map<String, List<String>> partitionValues = null;
    if (!tooMany && !values.isEmpty()) {
      partitionValues = new TreeMap<>();
      for (Map.Entry<String, Set<String>> e : values.entrySet()) {
        partitionValues.put(e.getKey(), List.copyOf(e.getValue()));
      }
    }
    return new ManifestRef(key, addedVersion, shards.size(), rows, bytes, partitionValues);
  }

  /** Rejects the commit if a version after the one it read changed what it depends on. */
  private void checkConflicts(CommitRequest request, long latestVersion) {
    boolean dependsOnData =
        request.removeAll()
            || request.removeWhere() != null
            || !request.removePaths().isEmpty()
            || request.rollbackTo() > 0;
    if (!dependsOnData || request.readVersion() <= 0) {
      return;
    }
    for (long v = request.readVersion() + 1; v <= latestVersion; v++) {
      VersionRecord other = log.read(v);
      VersionSummary s = other.summary();
      boolean changedData = s.shardsAdded() > 0 || s.shardsRemoved() > 0;
      boolean conflict;
      if (!request.removePaths().isEmpty()
          && request.removeWhere() == null
          && !request.removeAll()) {
        conflict = s.shardsRemoved() > 0; // compaction tolerates concurrent appends
      } else if (request.removeWhere() != null && other.changedPartitions() != null) {
        conflict = other.changedPartitions().stream().anyMatch(p -> matchesPartition(request, p));
      } else {
        conflict = changedData;
      }
      if (conflict) {
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

  private static boolean matchesPartition(CommitRequest request, String partitionPath) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String part : partitionPath.split("/")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        values.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    Shard probe = new Shard("", null, 1, 0, 0, null, null, values, null);
    return request.removeWhere().mightMatch(probe);
  }

  /** Builds the next version record from the latest one. */
  private VersionRecord apply(CommitRequest request, VersionRecord latest, ManifestRef added) {
    long version = latest == null ? 1 : latest.version() + 1;
    List<ManifestRef> manifests = new ArrayList<>();
    List<Shard> removed = new ArrayList<>();
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
      if (request.rollbackTo() > 0) {
        VersionRecord target = log.read(request.rollbackTo());
        schema = decode(target);
        manifests.addAll(target.manifests());
        collectRemoved(latest.manifests(), target.manifests(), removed);
      } else {
        schema = evolve(current, request);
        if (request.removeAll()) {
          for (ManifestRef ref : latest.manifests()) {
            removed.addAll(log.manifest(ref).shards());
          }
        } else if (request.removeWhere() != null || !request.removePaths().isEmpty()) {
          manifests.addAll(rewriteWithout(latest, request, removed, version));
        } else {
          manifests.addAll(latest.manifests());
        }
      }
    }
    manifests = mergeSmallManifests(manifests, version);
    if (added != null) {
      manifests.add(
          new ManifestRef(
              added.path(),
              version,
              added.shards(),
              added.rows(),
              added.bytes(),
              added.partitionValues()));
    }
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

  /**
   * Keeps the manifest list short: once a version would reference more than {@value #MAX_MANIFESTS}
   * manifests (e.g. one per Flink checkpoint), the small ones are merged into one. Amortised over
   * the commits in between this is O(1) manifests read per commit, and the version file stays small
   * however many commits the dataset has seen. The merged reference keeps the newest {@code
   * added-version} of its parts, which is always older than the committing version.
   */
  private List<ManifestRef> mergeSmallManifests(List<ManifestRef> manifests, long version) {
    if (manifests.size() <= MAX_MANIFESTS) {
      return manifests;
    }
    List<ManifestRef> kept = new ArrayList<>();
    List<Shard> merged = new ArrayList<>();
    long newestAdded = 0;
    for (ManifestRef ref : manifests) {
      if (ref.shards() < SMALL_MANIFEST_SHARDS) {
        merged.addAll(log.manifest(ref).shards());
        newestAdded = Math.max(newestAdded, ref.addedVersion());
      } else {
        kept.add(ref);
      }
    }
    if (merged.isEmpty()) {
      return manifests;
    }
    String key = LogLayout.manifestKey(transactionId + "-v" + version + "-merged", 0);
    log.writeManifest(key, new ManifestRecord(FormatCodec.CURRENT_FORMAT_VERSION, merged));
    kept.add(0, ref(key, newestAdded, merged));
    return kept;
  }

  private void collectRemoved(List<ManifestRef> from, List<ManifestRef> keep, List<Shard> removed) {
    Set<String> kept = new HashSet<>();
    keep.forEach(r -> kept.add(r.path()));
    Set<String> keptShards = new HashSet<>();
    for (ManifestRef ref : keep) {
      log.manifest(ref).shards().forEach(s -> keptShards.add(s.path()));
    }
    for (ManifestRef ref : from) {
      if (!kept.contains(ref.path())) {
        for (Shard s : log.manifest(ref).shards()) {
          if (!keptShards.contains(s.path())) {
            removed.add(s);
          }
        }
      }
    }
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

  /** Manifests of {@code latest} without the removed shards; touched manifests are rewritten. */
  private List<ManifestRef> rewriteWithout(
      VersionRecord latest, CommitRequest request, List<Shard> removed, long version) {
    List<ManifestRef> out = new ArrayList<>();
    Set<String> toFind = new HashSet<>(request.removePaths());
    int rewritten = 1;
    for (ManifestRef ref : latest.manifests()) {
      if (request.removeWhere() != null
          && request.removePaths().isEmpty()
          && !mightHold(ref, request)) {
        out.add(ref);
        continue;
      }
      List<Shard> keep = new ArrayList<>();
      List<Shard> drop = new ArrayList<>();
      for (Shard shard : log.manifest(ref).shards()) {
        boolean remove =
            toFind.remove(shard.path())
                || (request.removeWhere() != null && matchesShardPartition(request, shard));
        (remove ? drop : keep).add(shard);
      }
      if (drop.isEmpty()) {
        out.add(ref);
        continue;
      }
      removed.addAll(drop);
      if (!keep.isEmpty()) {
        String key = LogLayout.manifestKey(transactionId + "-v" + version, rewritten++);
        log.writeManifest(key, new ManifestRecord(FormatCodec.CURRENT_FORMAT_VERSION, keep));
        out.add(ref(key, ref.addedVersion(), keep));
      }
    }
    if (!toFind.isEmpty()) {
      throw new CommitConflictException(
          "Cannot commit "
              + request.operation()
              + " to dataset "
              + uri()
              + ": "
              + toFind.size()
              + " of the shards it replaces are no longer in the latest version "
              + latest.version()
              + " (a concurrent overwrite or compaction removed them). Re-run it on the latest"
              + " version.",
          request.readVersion(),
          latest.version());
    }
    return out;
  }

  private static boolean matchesShardPartition(CommitRequest request, Shard shard) {
    Shard probe = new Shard("", null, 1, 0, 0, null, null, shard.partition(), null);
    return request.removeWhere().mightMatch(probe);
  }

  private static boolean mightHold(ManifestRef ref, CommitRequest request) {
    if (ref.partitionValues() == null) {
      return true;
    }
    for (String column : request.removeWhere().columns()) {
      List<String> values = ref.partitionValues().get(column);
      if (values == null) {
        return true;
      }
    }
    // Try every combination lazily: any single-column value that might match keeps the manifest.
    for (Map.Entry<String, List<String>> e : ref.partitionValues().entrySet()) {
      for (String value : e.getValue()) {
        Shard probe = new Shard("", null, 1, 0, 0, null, null, Map.of(e.getKey(), value), null);
        if (request.removeWhere().mightMatch(probe)) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<String> changedPartitions(
      List<String> partitionColumns, CommitRequest request, List<Shard> removed, boolean first) {
    if (partitionColumns.isEmpty() || request.removeAll() || request.rollbackTo() > 0 || first) {
      return null;
    }
    Set<String> out = new TreeSet<>();
    for (Shard shard : request.added()) {
      out.add(partitionPath(partitionColumns, shard));
    }
    for (Shard shard : removed) {
      out.add(partitionPath(partitionColumns, shard));
    }
    return List.copyOf(out);
  }

  private static String partitionPath(List<String> columns, Shard shard) {
    StringBuilder out = new StringBuilder();
    for (String column : columns) {
      String value = shard.partition().get(column);
      if (value != null) {
        out.append(out.length() == 0 ? "" : "/").append(column).append('=').append(value);
      }
    }
    return out.toString();
  }
}
