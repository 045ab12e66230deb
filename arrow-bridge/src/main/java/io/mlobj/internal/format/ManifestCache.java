package io.mlobj.internal.format;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Least-recently-used manifests, bounded by count and by the shards they hold together: a handle
 * that planned a million-shard version must not keep every shard on the heap afterwards. A manifest
 * larger than the whole bound is not kept.
 */
final class ManifestCache {
  private final int maxEntries;
  private final long maxShards;
  private final LinkedHashMap<String, ManifestRecord> entries =
      new LinkedHashMap<>(64, 0.75f, true);
  private long shards;

  ManifestCache(int maxEntries, long maxShards) {
    this.maxEntries = maxEntries;
    this.maxShards = maxShards;
  }

  synchronized ManifestRecord get(String key) {
    return entries.get(key);
  }

  synchronized void put(String key, ManifestRecord record) {
    long size = record.shards().size();
    if (size > maxShards) {
      return;
    }
    ManifestRecord old = entries.put(key, record);
    shards += size - (old == null ? 0 : old.shards().size());
    Iterator<Map.Entry<String, ManifestRecord>> eldest = entries.entrySet().iterator();
    while ((entries.size() > maxEntries || shards > maxShards) && eldest.hasNext()) {
      ManifestRecord evicted = eldest.next().getValue();
      eldest.remove();
      shards -= evicted.shards().size();
    }
  }
}
