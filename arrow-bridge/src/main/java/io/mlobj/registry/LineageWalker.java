package io.mlobj.registry;

import io.mlobj.Dataset;
import io.mlobj.Lineage;
import io.mlobj.MlobjException;
import io.mlobj.internal.registry.MetadataIndex;
import io.mlobj.internal.registry.MetadataIndex.Ref;
import io.mlobj.registry.QueryHit.Kind;
import io.mlobj.store.ObjectStores;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks lineage both ways. Upstream ("what trained this model", "what was this dataset version made
 * from") follows a checkpoint's lineage and the {@link Lineage#SOURCES} of dataset version
 * summaries. Downstream ("which models did this dataset version train", "which datasets were
 * derived from it") lists the registry's lineage index, which knows every checkpoint and every
 * dataset registered with {@link CheckpointRegistry#indexDataset}.
 *
 * <pre>{@code
 * LineageNode up = registry.lineage().upstream("resnet@v2", 10);
 * LineageNode down = registry.lineage().downstream("s3a://ml/images@v3", 10);
 * }</pre>
 *
 * <p>A subject is a dataset if it contains {@code ://} or starts with {@code /} (a local path),
 * otherwise a model; without {@code @vN} a model means its latest checkpoint and a dataset its
 * latest version upstream and every version downstream.
 *
 * <p>Stable API.
 */
public final class LineageWalker {
  private final CheckpointRegistry registry;
  private final MetadataIndex index;

  LineageWalker(CheckpointRegistry registry, MetadataIndex index) {
    this.registry = registry;
    this.index = index;
  }

  /** Whether a subject names a dataset (rather than a model). */
  public static boolean isDataset(String subject) {
    return subject.contains("://") || subject.startsWith("/") || subject.startsWith("file:");
  }

  /** The inputs of a checkpoint or dataset version, recursively up to {@code depth} levels. */
  public LineageNode upstream(String subject, int depth) {
    Object[] parts = Lineage.parse(subject);
    String name = (String) parts[0];
    long version = (long) parts[1];
    if (isDataset(name)) {
      Dataset ds = Dataset.open(name, registry.conf());
      return datasetUp(
          ds.uri(), version > 0 ? version : ds.latestVersion(), depth, new HashSet<>());
    }
    Checkpoint c = version > 0 ? registry.require(name, version) : registry.latest(name);
    List<LineageNode> inputs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String ref : c.lineage()) {
      Object[] p = Lineage.parse(ref);
      inputs.add(datasetUp((String) p[0], (long) p[1], depth - 1, seen));
    }
    return new LineageNode(Kind.CHECKPOINT, c.model(), c.version(), null, inputs);
  }

  private LineageNode datasetUp(String uri, long version, int depth, Set<String> seen) {
    String ref = Lineage.ref(uri, version);
    if (depth <= 0 || !seen.add(ref)) {
      return new LineageNode(Kind.DATASET, uri, version, null, List.of());
    }
    Map<String, String> summary;
    try {
      summary = Dataset.at(uri, registry.conf()).version(version).summary().properties();
    } catch (MlobjException e) {
      if (e.kind() == MlobjException.Kind.NOT_FOUND) {
        return new LineageNode(Kind.DATASET, uri, version, "(not found)", List.of());
      }
      throw e;
    }
    List<LineageNode> inputs = new ArrayList<>();
    for (String source : Lineage.split(summary.get(Lineage.SOURCES))) {
      Object[] p = Lineage.parse(source);
      if ((long) p[1] > 0) {
        inputs.add(datasetUp((String) p[0], (long) p[1], depth - 1, seen));
      }
    }
    return new LineageNode(Kind.DATASET, uri, version, summary.get(Lineage.JOB), inputs);
  }

  /** The consumers of a dataset version (or of every version), recursively. */
  public LineageNode downstream(String subject, int depth) {
    Object[] parts = Lineage.parse(subject);
    String name = (String) parts[0];
    long version = (long) parts[1];
    if (!isDataset(name)) {
      Checkpoint c = version > 0 ? registry.require(name, version) : registry.latest(name);
      return new LineageNode(Kind.CHECKPOINT, c.model(), c.version(), null, List.of());
    }
    String uri = ObjectStores.normalize(name);
    Set<String> seen = new HashSet<>();
    if (version > 0) {
      return datasetDown(uri, version, depth, seen);
    }
    List<LineageNode> versions = new ArrayList<>();
    for (Long v : index.derivedFromByVersion(uri).keySet()) {
      versions.add(datasetDown(uri, v, depth, seen));
    }
    return new LineageNode(Kind.DATASET, uri, -1, null, versions);
  }

  private LineageNode datasetDown(String uri, long version, int depth, Set<String> seen) {
    String ref = Lineage.ref(uri, version);
    if (depth <= 0 || !seen.add(ref)) {
      return new LineageNode(Kind.DATASET, uri, version, null, List.of());
    }
    List<LineageNode> consumers = new ArrayList<>();
    for (Ref r : index.derivedFrom(uri, version)) {
      if (r.kind() == Kind.CHECKPOINT) {
        consumers.add(new LineageNode(Kind.CHECKPOINT, r.name(), r.version(), null, List.of()));
      } else {
        consumers.add(datasetDown(r.name(), r.version(), depth - 1, seen));
      }
    }
    return new LineageNode(Kind.DATASET, uri, version, null, consumers);
  }
}
