package io.mlobj.ops;

import io.mlobj.Dataset;
import io.mlobj.Snapshot;
import io.mlobj.Tag;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.internal.format.ManifestRef;
import io.mlobj.store.ObjectInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Deletes data shards and manifests that no retained version references. Retained: the latest
 * {@code retainVersions} versions, versions newer than {@code retainDuration}, and every tagged
 * version. An unreferenced object is deleted only if it is older than the safety window, so the
 * shards of an in-flight writer (uploaded, not yet committed) are never touched. Version files are
 * kept (they are small); reading an expired version reports its vacuumed shards as missing.
 *
 * <pre>{@code
 * VacuumReport dry = Vacuum.builder(dataset).retainVersions(5).build().run(); // dry run
 * Vacuum.builder(dataset).retainVersions(5).dryRun(false).build().run();
 * }</pre>
 *
 * <p>Stable API.
 */
public final class Vacuum {
  private final Dataset dataset;
  private final int retainVersions;
  private final Duration retainDuration;
  private final Duration safetyWindow;
  private final boolean dryRun;

  private Vacuum(Builder b) {
    this.dataset = b.dataset;
    this.retainVersions = b.retainVersions;
    this.retainDuration = b.retainDuration;
    this.safetyWindow = b.safetyWindow;
    this.dryRun = b.dryRun;
  }

  public static Builder builder(Dataset dataset) {
    return new Builder(dataset);
  }

  /** Runs the vacuum. */
  public VacuumReport run(Progress progress) {
    long now = System.currentTimeMillis();
    long latest = dataset.latestVersion();
    // One pass from the newest retained version down: each retained version file is read once,
    // and each distinct manifest at most once (versions share most of them). Only shard paths are
    // read, past the manifest cache: this walk would only evict what planning and commits reuse.
    Set<Long> retained = new TreeSet<>();
    References referenced = new References();
    for (long v = latest; v >= 1; v--) {
      Snapshot snapshot = dataset.version(v);
      boolean recent = now - snapshot.timestampMillis() <= retainDuration.toMillis();
      if (latest - v < retainVersions || recent) {
        retained.add(v);
        snapshot.manifests().forEach(referenced::add);
      } else {
        break;
      }
    }
    // Tagged versions past the retained ones, newest first too.
    for (long v :
        dataset.tags().stream().map(Tag::version).sorted(Comparator.reverseOrder()).toList()) {
      if (retained.add(v)) {
        dataset.version(v).manifests().forEach(referenced::add);
      }
    }
    List<ObjectInfo> candidates = new ArrayList<>(dataset.store().list(LogLayout.DATA, null));
    candidates.addAll(dataset.store().list(LogLayout.MANIFESTS, null));
    List<String> deleted = new ArrayList<>();
    long bytes = 0;
    long young = 0;
    long done = 0;
    for (ObjectInfo object : candidates) {
      done++;
      if (referenced.paths.contains(object.key())) {
        continue;
      }
      if (now - object.lastModifiedMillis() < safetyWindow.toMillis()) {
        young++;
        continue;
      }
      if (!dryRun) {
        dataset.store().delete(object.key());
      }
      deleted.add(object.key());
      bytes += object.size();
      progress.update(done, candidates.size(), bytes);
    }
    progress.update(candidates.size(), candidates.size(), bytes);
    return new VacuumReport(dataset.uri(), dryRun, List.copyOf(retained), deleted, bytes, young);
  }

  /**
   * The manifests and shards that retained versions reference, fed references newest version first.
   * A merged manifest that records the manifests it merged ({@code merged-from}, docs/FORMAT.md §3)
   * holds all of their shards, so once it is referenced they are <em>covered</em>: their paths
   * count as referenced when a version references them, and they are not read. Tiered merging
   * rewrites each shard into a log number of manifests, all within retention on a young dataset;
   * this keeps planning linear in the shards rather than in every manifest ever written.
   */
  private final class References {
    /** Manifest and shard paths referenced. A manifest here has its shards here too. */
    final Set<String> paths = new HashSet<>();

    /** Manifests whose shards are all held by a referenced manifest. */
    private final Set<String> covered = new HashSet<>();

    void add(ManifestRef ref) {
      if (paths.add(ref.path()) && !covered.contains(ref.path())) {
        paths.addAll(dataset.log().manifestPaths(ref));
      }
      // Whether read or covered, this manifest's shards are referenced, so its sources' are too.
      if (ref.mergedFrom() != null) {
        covered.addAll(ref.mergedFrom());
      }
    }
  }

  /** Configures a {@link Vacuum}. */
  public static final class Builder {
    private final Dataset dataset;
    private int retainVersions = 10;
    private Duration retainDuration = Duration.ofDays(7);
    private Duration safetyWindow = Duration.ofHours(24);
    private boolean dryRun = true;

    Builder(Dataset dataset) {
      this.dataset = dataset;
    }

    /** Keep the latest N versions readable (default 10, at least 1). */
    public Builder retainVersions(int versions) {
      if (versions < 1) {
        throw io.mlobj.MlobjErrors.badOption(
            "retainVersions", String.valueOf(versions), "at least 1");
      }
      this.retainVersions = versions;
      return this;
    }

    /** Keep versions newer than this readable (default 7 days). */
    public Builder retainDuration(Duration duration) {
      this.retainDuration = duration;
      return this;
    }

    /** Never delete objects younger than this (default 24 h): protects in-flight writers. */
    public Builder safetyWindow(Duration window) {
      this.safetyWindow = window;
      return this;
    }

    /** Only report (default true). */
    public Builder dryRun(boolean dryRun) {
      this.dryRun = dryRun;
      return this;
    }

    public Vacuum build() {
      return new Vacuum(this);
    }
  }
}
