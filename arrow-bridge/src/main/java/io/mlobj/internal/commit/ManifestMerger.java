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
import java.util.Set;

/**
 * Builds the manifest list of the next version (docs/FORMAT.md §3): carries the latest version's
 * manifests forward, rewrites only those that hold removed shards, restores a rollback target's,
 * merges small manifests of one partition ({@link MergeTiers}), and adds the commit's own. Writes
 * manifests under keys unique to one transaction, so a retried commit never clobbers another's.
 */
public final class ManifestMerger {
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

  /**
   * The reference to the manifest of the shards a commit adds, known before {@link #writeAdded}
   * writes it; or null when it adds none.
   */
  public ManifestRef addedRef(List<Shard> added) {
    return added.isEmpty() ? null : ref(LogLayout.manifestKey(transactionId, 0), -1, added);
  }

  /** Writes the manifest of the shards a commit adds (once, before its version); or null. */
  public ManifestRef writeAdded(List<Shard> added) {
    ManifestRef ref = addedRef(added);
    if (ref != null) {
      log.writeManifest(ref.path(), new ManifestRecord(FormatCodec.CURRENT_FORMAT_VERSION, added));
    }
    return ref;
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
    // Merge sources are recorded only by the version that merged (docs/FORMAT.md §3): vacuum, which
    // walks versions newest first, learns them there, and version files stay small.
    manifests.replaceAll(ManifestRef::withoutMergedFrom);
    if (request.rollbackTo() <= 0) {
      // A rollback restores the target's references unchanged (docs/FORMAT.md §3).
      manifests = mergeSmall(manifests, version);
    }
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
    return ref(key, addedVersion, shards, null);
  }

  private static ManifestRef ref(
      String key, long addedVersion, List<Shard> shards, List<String> mergedFrom) {
    long rows = 0;
    long bytes = 0;
    for (Shard shard : shards) {
      rows += shard.rows();
      bytes += shard.bytes();
    }
    return new ManifestRef(
        key,
        addedVersion,
        shards.size(),
        rows,
        bytes,
        MergeTiers.partitionValues(shards),
        mergedFrom);
  }

  /**
   * Keeps the manifest list short by merging small manifests of one partition and size tier ({@link
   * MergeTiers}), and those of one partition that has received nothing for a while: an append reads
   * and writes a bounded number of manifests however many the version references, and each merged
   * manifest holds a single partition. A merged reference keeps the newest {@code added-version} of
   * its parts, which is always older than the committing version. Merged shards are written once,
   * after all merges of this commit, under {@code <txn>-v<N>-merged-m<i>}; each takes the place of
   * the first manifest it merged.
   */
  private List<ManifestRef> mergeSmall(List<ManifestRef> manifests, long version) {
    List<MergeTiers.Part> parts = new ArrayList<>();
    manifests.forEach(ref -> parts.add(MergeTiers.Part.of(ref)));
    // Every merge removes at least FANOUT - 1 parts of a group; the bound only guards the loop.
    boolean coldMerged = false;
    for (int merges = 0; merges <= 4 * manifests.size() + 1; merges++) {
      List<MergeTiers.Part> tier = MergeTiers.nextMerge(parts);
      List<MergeTiers.Part> chosen =
          tier.isEmpty() && !coldMerged ? MergeTiers.coldGroup(parts, version) : tier;
      // At most one partition that stopped receiving data is tidied up per commit.
      coldMerged |= tier.isEmpty();
      if (chosen.isEmpty()) {
        break;
      }
      List<Shard> shards = new ArrayList<>();
      long newestAdded = 0;
      for (MergeTiers.Part part : chosen) {
        shards.addAll(part.ref() == null ? part.shards() : log.manifest(part.ref()).shards());
        newestAdded = Math.max(newestAdded, part.addedVersion());
      }
      int at = indexOf(parts, chosen.get(0));
      parts.removeIf(p -> chosen.stream().anyMatch(c -> c == p));
      List<List<Shard>> partitions = MergeTiers.byPartition(shards);
      // One merged part holds all of its sources' shards; parts of a split hold only some.
      List<String> sources = partitions.size() == 1 ? MergeTiers.Part.sourcesOf(chosen) : null;
      List<MergeTiers.Part> split = new ArrayList<>();
      for (List<Shard> partition : partitions) {
        split.add(MergeTiers.Part.merged(partition, newestAdded, sources));
      }
      parts.addAll(Math.min(at, parts.size()), split);
    }
    List<ManifestRef> out = new ArrayList<>(parts.size());
    int written = 0;
    for (MergeTiers.Part part : parts) {
      if (part.ref() != null) {
        out.add(part.ref());
        continue;
      }
      String key = LogLayout.manifestKey(transactionId + "-v" + version + "-merged", written++);
      log.writeManifest(key, new ManifestRecord(FormatCodec.CURRENT_FORMAT_VERSION, part.shards()));
      out.add(ref(key, part.addedVersion(), part.shards(), part.sources()));
    }
    return out;
  }

  private static int indexOf(List<MergeTiers.Part> parts, MergeTiers.Part part) {
    for (int i = 0; i < parts.size(); i++) {
      if (parts.get(i) == part) {
        return i;
      }
    }
    return parts.size();
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
