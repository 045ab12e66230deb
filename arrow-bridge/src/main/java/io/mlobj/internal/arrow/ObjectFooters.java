package io.mlobj.internal.arrow;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * Parsed footers of Parquet objects read by range, kept per object so that a later block of the
 * same shard reads its column chunks only (the footer is neither fetched nor parsed again). Keyed
 * by the caller's name for the object's content: its URI with its size and CRC32C from the
 * manifest, so an object replaced at the same URI (a dataset dropped and created again) is never
 * served the footer of the one before. Bounded by entries and by an estimate of the parsed size.
 * Only unencrypted footers are kept: parquet-mr treats their metadata as read-only, so readers on
 * several threads may share one (as {@link ParquetFooters} does).
 */
final class ObjectFooters {
  static final int MAX_ENTRIES = 4096;
  static final long MAX_WEIGHT = 64L << 20;

  /** Rough heap bytes of a parsed footer: per column chunk (metadata, statistics) and per file. */
  private static final int CHUNK_WEIGHT = 512;

  private static final int FILE_WEIGHT = 4096;

  private static final Map<String, Entry> CACHE = new LinkedHashMap<>(16, 0.75f, true);
  private static long weight;

  private record Entry(ParquetMetadata footer, long weight) {}

  private ObjectFooters() {}

  /** The kept footer of the object, or null. */
  static ParquetMetadata get(String object) {
    synchronized (CACHE) {
      Entry e = CACHE.get(object);
      return e == null ? null : e.footer();
    }
  }

  /** Keeps the object's footer, evicting the least recently used ones beyond the bounds. */
  static void put(String object, ParquetMetadata footer) {
    if (footer.getFileMetaData().getEncryptionType() != FileMetaData.EncryptionType.UNENCRYPTED) {
      return;
    }
    long w = FILE_WEIGHT;
    for (var block : footer.getBlocks()) {
      w += (long) CHUNK_WEIGHT * block.getColumns().size();
    }
    if (w > MAX_WEIGHT / 4) {
      return; // one footer must not evict every other
    }
    synchronized (CACHE) {
      Entry old = CACHE.put(object, new Entry(footer, w));
      weight += w - (old == null ? 0 : old.weight());
      var eldest = CACHE.values().iterator();
      while (CACHE.size() > MAX_ENTRIES || weight > MAX_WEIGHT) {
        weight -= eldest.next().weight();
        eldest.remove();
      }
    }
  }
}
