package io.mlobj.internal.commit;

import io.mlobj.Shard;
import io.mlobj.internal.format.ManifestRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which manifests of a version to merge (docs/FORMAT.md §3): size-tiered merging within one
 * partition. A manifest's <em>group</em> is its single partition (every partition column lists one
 * value), or the mixed group (several values, too many to list, or an unpartitioned dataset). Its
 * <em>tier</em> is {@code floor(log4(shards))}. Once {@value #FANOUT} manifests of one group share
 * a tier they are merged, and the merged shards are split by partition, so every merged manifest
 * holds one partition and partition pruning keeps working after merges.
 *
 * <p>Why tiers: a shard is rewritten about once per tier (log4 of {@value #LARGE_SHARDS}, i.e. at
 * most 7 times) instead of on every merge, so an append reads and writes a bounded number of
 * manifests however large the dataset is, and the manifests ever written (what vacuum reads) stay
 * linear in the shards. Manifests of {@value #LARGE_SHARDS} shards or more are never merged. A
 * version references at most {@code FANOUT - 1} small manifests per tier and group besides them,
 * and one once the group has received nothing for {@value #COLD_VERSIONS} versions ({@link
 * #coldGroup}).
 */
final class MergeTiers {
  /** Manifests of one group and tier that trigger a merge. */
  static final int FANOUT = 4;

  /** Manifests with at least this many shards are left alone. */
  static final long LARGE_SHARDS = 10_000;

  /** Versions without new shards after which a group's small manifests are merged into one. */
  static final long COLD_VERSIONS = 64;

  /** Most distinct values per column that a reference lists; past it, none are listed. */
  static final int PARTITION_VALUES_LIMIT = 100;

  private MergeTiers() {}

  /**
   * A manifest of the next version: an existing one, or shards merged in this commit and not yet
   * written.
   *
   * @param ref the existing reference, or null for merged shards
   * @param shards the merged shards, or null for an existing reference
   * @param addedVersion the newest {@code added-version} of what it holds
   * @param count number of shards
   * @param partitionValues as the reference lists them
   * @param sources the existing manifests whose shards it holds, all of them, or null when a merge
   *     split them over several parts
   */
  record Part(
      ManifestRef ref,
      List<Shard> shards,
      long addedVersion,
      long count,
      Map<String, List<String>> partitionValues,
      List<String> sources) {

    static Part of(ManifestRef ref) {
      return new Part(
          ref, null, ref.addedVersion(), ref.shards(), ref.partitionValues(), List.of(ref.path()));
    }

    /**
     * Merged shards; {@code sources} the existing manifests they are the whole of, or null (the
     * merge split its shards over several parts).
     */
    static Part merged(List<Shard> shards, long addedVersion, List<String> sources) {
      return new Part(
          null, shards, addedVersion, shards.size(), MergeTiers.partitionValues(shards), sources);
    }

    /**
     * The existing manifests that parts merged into one are the whole of: every part's sources, or
     * null if any part has none.
     */
    static List<String> sourcesOf(List<Part> parts) {
      List<String> out = new ArrayList<>();
      for (Part part : parts) {
        if (part.sources() == null) {
          return null;
        }
        out.addAll(part.sources());
      }
      return out;
    }
  }

  /**
   * The parts to merge next: every small part of the first group and tier (lowest tier first) that
   * holds at least {@value #FANOUT}, in list order; empty when none does.
   */
  static List<Part> nextMerge(List<Part> parts) {
    Map<Key, List<Part>> buckets = new LinkedHashMap<>();
    for (Part part : parts) {
      if (part.count() < LARGE_SHARDS) {
        Key key = new Key(group(part.partitionValues()), tier(part.count()));
        buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(part);
      }
    }
    List<Part> chosen = List.of();
    int chosenTier = Integer.MAX_VALUE;
    for (Map.Entry<Key, List<Part>> e : buckets.entrySet()) {
      if (e.getValue().size() >= FANOUT && e.getKey().tier() < chosenTier) {
        chosen = e.getValue();
        chosenTier = e.getKey().tier();
      }
    }
    return chosen;
  }

  /**
   * The small parts of the group that has gone longest without new shards, if that is more than
   * {@value #COLD_VERSIONS} versions before {@code version} and the group has more than one small
   * part; else empty. Merging them once leaves a partition that no longer receives data with one
   * small manifest instead of a few per tier, which keeps version files small when a dataset has
   * many partitions (e.g. one per day). Callers merge at most one cold group per commit, so an
   * append's work stays bounded.
   */
  static List<Part> coldGroup(List<Part> parts, long version) {
    Map<Map<String, List<String>>, List<Part>> groups = new LinkedHashMap<>();
    Map<Map<String, List<String>>, Long> newest = new HashMap<>();
    for (Part part : parts) {
      Map<String, List<String>> group = group(part.partitionValues());
      newest.merge(group, part.addedVersion(), Math::max);
      if (part.count() < LARGE_SHARDS) {
        groups.computeIfAbsent(group, g -> new ArrayList<>()).add(part);
      }
    }
    List<Part> chosen = List.of();
    long coldest = version - COLD_VERSIONS;
    for (Map.Entry<Map<String, List<String>>, List<Part>> e : groups.entrySet()) {
      long last = newest.get(e.getKey());
      if (e.getValue().size() > 1 && last < coldest) {
        chosen = e.getValue();
        coldest = last;
      }
    }
    return chosen;
  }

  /** Splits merged shards by partition, in order of first appearance; order kept within each. */
  static List<List<Shard>> byPartition(List<Shard> shards) {
    Map<Map<String, String>, List<Shard>> out = new LinkedHashMap<>();
    for (Shard shard : shards) {
      out.computeIfAbsent(new TreeMap<>(shard.partition()), p -> new ArrayList<>()).add(shard);
    }
    return new ArrayList<>(out.values());
  }

  /**
   * The distinct partition values per column, or null when there are none (unpartitioned, or only
   * null values) or a column has more than {@value #PARTITION_VALUES_LIMIT}.
   */
  static Map<String, List<String>> partitionValues(List<Shard> shards) {
    Map<String, Set<String>> values = new TreeMap<>();
    for (Shard shard : shards) {
      for (Map.Entry<String, String> e : shard.partition().entrySet()) {
        Set<String> set = values.computeIfAbsent(e.getKey(), k -> new TreeSet<>());
        set.add(e.getValue());
        if (set.size() > PARTITION_VALUES_LIMIT) {
          return null;
        }
      }
    }
    if (values.isEmpty()) {
      return null;
    }
    Map<String, List<String>> out = new TreeMap<>();
    values.forEach((column, set) -> out.put(column, List.copyOf(set)));
    return out;
  }

  /** {@code floor(log4(shards))}. */
  static int tier(long shards) {
    int tier = 0;
    for (long n = Math.max(1, shards); n >= FANOUT; n /= FANOUT) {
      tier++;
    }
    return tier;
  }

  /** The single partition a reference lists, or null for the mixed group. */
  private static Map<String, List<String>> group(Map<String, List<String>> partitionValues) {
    if (partitionValues == null) {
      return null;
    }
    for (List<String> values : partitionValues.values()) {
      if (values.size() != 1) {
        return null;
      }
    }
    return partitionValues;
  }

  private record Key(Map<String, List<String>> group, int tier) {}
}
