package io.mlobj.internal.registry;

import io.mlobj.Lineage;
import io.mlobj.registry.Checkpoint;
import io.mlobj.registry.QueryHit.Kind;
import io.mlobj.store.ObjectInfo;
import io.mlobj.store.ObjectStore;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registry's metadata index: empty objects whose keys spell a fact (see {@link
 * RegistryLayout}). Answering "which checkpoints carry tag T" or "what was trained on X@v3" lists
 * one prefix whose size is the size of the answer, whatever the size of the bucket.
 */
public final class MetadataIndex {
  private static final byte[] EMPTY = new byte[0];

  /** One fact's subject: a checkpoint or a dataset version. */
  public record Ref(Kind kind, String name, long version) {}

  private final ObjectStore store;
  private final AtomicLong listCalls = new AtomicLong();
  private final AtomicLong keysListed = new AtomicLong();

  public MetadataIndex(ObjectStore store) {
    this.store = store;
  }

  public void addCheckpoint(Checkpoint c) {
    store.put(RegistryLayout.modelMarker(c.model()), EMPTY, Map.of());
    String entry = RegistryLayout.ckptEntry(c.model(), c.version());
    for (String ref : c.lineage()) {
      Object[] parts = Lineage.parse(ref);
      store.put(
          RegistryLayout.lineagePrefix((String) parts[0], (long) parts[1]) + entry,
          EMPTY,
          Map.of());
    }
    c.metadata()
        .forEach(
            (k, v) -> {
              if (indexable(k, v)) {
                store.put(RegistryLayout.metaPrefix(k, v) + entry, EMPTY, Map.of());
              }
            });
  }

  public void addCheckpointTag(String model, long version, String tag) {
    store.put(
        RegistryLayout.tagPrefix(tag) + RegistryLayout.ckptEntry(model, version), EMPTY, Map.of());
  }

  public void removeCheckpointTag(String model, long version, String tag) {
    store.delete(RegistryLayout.tagPrefix(tag) + RegistryLayout.ckptEntry(model, version));
  }

  public void addDatasetVersion(String uri, long version, Map<String, String> summary) {
    String entry = RegistryLayout.datasetEntry(uri, version);
    for (String source : Lineage.split(summary.get(Lineage.SOURCES))) {
      Object[] parts = Lineage.parse(source);
      if ((long) parts[1] > 0) {
        store.put(
            RegistryLayout.lineagePrefix((String) parts[0], (long) parts[1]) + entry,
            EMPTY,
            Map.of());
      }
    }
    summary.forEach(
        (k, v) -> {
          if (!k.equals(Lineage.SOURCES) && indexable(k, v)) {
            store.put(RegistryLayout.metaPrefix(k, v) + entry, EMPTY, Map.of());
          }
        });
  }

  public void addDatasetTag(String uri, long version, String tag) {
    store.put(
        RegistryLayout.tagPrefix(tag) + RegistryLayout.datasetEntry(uri, version), EMPTY, Map.of());
  }

  public static boolean indexable(String key, String value) {
    return value != null
        && !key.isEmpty()
        && key.length() <= RegistryLayout.MAX_INDEXED_VALUE
        && value.length() <= RegistryLayout.MAX_INDEXED_VALUE;
  }

  /** Subjects with a tag. */
  public Set<Ref> tagged(String tag) {
    return refs(RegistryLayout.tagPrefix(tag), false);
  }

  /**
   * Subjects trained on / derived from {@code uri@version}; any version if {@code version <= 0}.
   */
  public Set<Ref> derivedFrom(String uri, long version) {
    return refs(RegistryLayout.lineagePrefix(uri, version), version <= 0);
  }

  /** Subjects whose metadata has {@code key = value}. */
  public Set<Ref> withMeta(String key, String value) {
    return refs(RegistryLayout.metaPrefix(key, value), false);
  }

  /** Index entries under a lineage prefix grouped by source version (for lineage walks). */
  public Map<Long, Set<Ref>> derivedFromByVersion(String uri) {
    String prefix = RegistryLayout.lineagePrefix(uri, 0);
    Map<Long, Set<Ref>> out = new java.util.TreeMap<>();
    for (ObjectInfo info : list(prefix)) {
      String rest = info.key().substring(prefix.length());
      int slash = rest.indexOf('/');
      Ref ref = parse(rest.substring(slash + 1));
      if (slash > 0 && ref != null) {
        out.computeIfAbsent(
                RegistryLayout.parseNum(rest.substring(0, slash)), v -> new LinkedHashSet<>())
            .add(ref);
      }
    }
    return out;
  }

  private Set<Ref> refs(String prefix, boolean skipVersionSegment) {
    Set<Ref> out = new LinkedHashSet<>();
    for (ObjectInfo info : list(prefix)) {
      String rest = info.key().substring(prefix.length());
      if (skipVersionSegment) {
        rest = rest.substring(rest.indexOf('/') + 1);
      }
      Ref ref = parse(rest);
      if (ref != null) {
        out.add(ref);
      }
    }
    return out;
  }

  public java.util.List<ObjectInfo> list(String prefix) {
    java.util.List<ObjectInfo> infos = store.list(prefix, null);
    listCalls.incrementAndGet();
    keysListed.addAndGet(infos.size());
    return infos;
  }

  /** Parses {@code ckpt/<model>/<20d>} or {@code dataset/<enc uri>/<20d>}; null otherwise. */
  public static Ref parse(String entry) {
    String[] parts = entry.split("/");
    if (parts.length != 3) {
      return null;
    }
    long version = RegistryLayout.parseNum(parts[2]);
    if (version <= 0) {
      return null;
    }
    if ((parts[0] + "/").equals(RegistryLayout.CKPT)) {
      return new Ref(Kind.CHECKPOINT, parts[1], version);
    }
    if ((parts[0] + "/").equals(RegistryLayout.DATASET)) {
      return new Ref(Kind.DATASET, RegistryLayout.dec(parts[1]), version);
    }
    return null;
  }

  public long listCalls() {
    return listCalls.get();
  }

  public long keysListed() {
    return keysListed.get();
  }
}
