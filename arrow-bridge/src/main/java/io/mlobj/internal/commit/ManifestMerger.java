package io.mlobj.internal.commit;

import io.mlobj.Shard;
import io.mlobj.commit.CommitConflictException;
import io.mlobj.internal.format.FormatCodec;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.internal.format.ManifestRecord;
import io.mlobj.internal.format.ManifestRef;
import io.mlobj.internal.format.VersionLog;
import io.mlobj.internal.format.VersionRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds the manifest list of the next version (docs/FORMAT.md §3): carries the latest version's
 * manifests forward, rewrites only those that hold removed shards, restores a rollback target's,
 * merges small manifests once a version would reference too many, and adds the commit's own. Writes
 * manifests under keys unique to one transaction, so a retried commit never clobbers another's.
 */
public final class ManifestMerger {
  private static final int PARTITION_VALUES_LIMIT = 100;
  public static final int MAX_MANIFESTS = 64;
  public static final int SMALL_MANIFEST_SHARDS = 10_000;

  /**
   * The manifests of a new version and the shards it no longer holds.
   *
   * @param manifests the references, in order
   * @param removed shards of the latest version that the new one drops
   */
  public record Merged(List<ManifestRef> manifests, List<Shard> removed) {}

  private final VersionLog log;
  private final String transactionId;

  public ManifestMerger(VersionLog log, String transactionId) {
    this.log = log;
    this.transactionId = transactionId;
  }

  /** Writes the manifest of the shards a commit adds (once, before the commit loop); or null. */
  public ManifestRef writeAdded(List<Shard> added) {
    if (added.isEmpty()) {
      return null;
    }
    String key = LogLayout.manifestKey(transactionId, 0);
    log.writeManifest(key, new ManifestRecord(FormatCodec.CURRENT_FORMAT_VERSION, added));
    return ref(key, -1, added);
  }

  /**
   * The manifests of {@code version}, built from {@code latest} (null when creating the dataset).
   *
   * @param added the reference {@link #writeAdded} returned, or null
   */
  public Merged merge(
      CommitRequest request, VersionRecord latest, long version, ManifestRef added) {
    List<ManifestRef> manifests = new ArrayList<>();
    List<Shard> removed = new ArrayList<>();
    if (latest != null) {
      if (request.rollbackTo() > 0) {
        VersionRecord target = log.read(request.rollbackTo());
        manifests.addAll(target.manifests());
        collectRemoved(latest.manifests(), target.manifests(), removed);
      } else if (request.removeAll()) {
        for (ManifestRef ref : latest.manifests()) {
          removed.addAll(log.manifest(ref).shards());
        }
      } else if (request.removeWhere() != null || !request.removePaths().isEmpty()) {
        manifests.addAll(rewriteWithout(latest, request, removed, version));
      } else {
        manifests.addAll(latest.manifests());
      }
    }
    manifests = mergeSmall(manifests, version);
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
    return new Merged(manifests, removed);
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

  /**
   * Keeps the manifest list short: once a version would reference more than {@value #MAX_MANIFESTS}
   * manifests (e.g. one per Flink checkpoint), the small ones are merged into one. Amortised over
   * the commits in between this is O(1) manifests read per commit, and the version file stays small
   * however many commits the dataset has seen. The merged reference keeps the newest {@code
   * added-version} of its parts, which is always older than the committing version.
   */
  private List<ManifestRef> mergeSmall(List<ManifestRef> manifests, long version) {
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

  /** Manifests of {@code latest} without the removed shards; touched manifests are rewritten. */
  private List<ManifestRef> rewriteWithout(
      VersionRecord latest, CommitRequest request, List<Shard> removed, long version) {
    List<ManifestRef> out = new ArrayList<>();
    Set<String> toFind = new HashSet<>(request.removePaths());
    int rewritten = 1;
    for (ManifestRef ref : latest.manifests()) {
      if (request.removeWhere() != null
          && request.removePaths().isEmpty()
          && !PartitionFilter.mightHold(request.removeWhere(), ref)) {
        out.add(ref);
        continue;
      }
      List<Shard> keep = new ArrayList<>();
      List<Shard> drop = new ArrayList<>();
      for (Shard shard : log.manifest(ref).shards()) {
        boolean remove =
            toFind.remove(shard.path())
                || (request.removeWhere() != null
                    && PartitionFilter.matches(
                        request.removeWhere(), latest.partitionColumns(), shard.partition()));
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
              + log.store().root()
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
}
