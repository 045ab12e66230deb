package io.mlobj.cache;

import io.mlobj.MlobjConf;
import io.mlobj.internal.arrow.MappedFiles;
import io.mlobj.internal.store.LocalObjectCache;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The local-disk shard cache that {@code mlobj.cache.dir} and {@code mlobj.cache.size} configure,
 * seen from outside the kernel: where it is, how large it may grow, what it answered, and how to
 * own a mapping of a cached shard. Datasets opened with those settings fill and read it on their
 * own ({@link io.mlobj.Dataset#isCachedLocally}, {@link io.mlobj.Dataset#readShardBuffer}); servers
 * such as the trainer feed use this class to size their memory and report the cache's counters.
 *
 * <pre>{@code
 * LocalCache.of(conf).ifPresent(cache ->
 *     System.out.println(cache.dir() + ": " + cache.stats().hits() + " hits"));
 * }</pre>
 *
 * <p>One cache per directory and JVM, shared by every dataset handle with these settings and never
 * closed (its entries are files). Thread-safe. Stable API; {@link Stats} may gain components.
 */
public final class LocalCache {
  private final LocalObjectCache cache;

  private LocalCache(LocalObjectCache cache) {
    this.cache = cache;
  }

  /** Whether the settings name a cache directory ({@code mlobj.cache.dir}); opens nothing. */
  public static boolean configured(MlobjConf conf) {
    return LocalObjectCache.configured(conf);
  }

  /**
   * The cache the settings configure (its directory created and indexed on first use in this JVM),
   * or empty when {@code mlobj.cache.dir} is unset.
   *
   * @throws java.io.UncheckedIOException if the directory cannot be created or listed
   */
  public static Optional<LocalCache> of(MlobjConf conf) {
    return Optional.ofNullable(LocalObjectCache.fromConf(conf)).map(LocalCache::new);
  }

  /** The cache directory. */
  public Path dir() {
    return cache.dir();
  }

  /** The most bytes the cache keeps ({@code mlobj.cache.size} of the first opener in this JVM). */
  public long capBytes() {
    return cache.capBytes();
  }

  /** The cache's counters since this JVM opened it. */
  public Stats stats() {
    return new Stats(
        cache.heldBytes(), cache.hits(), cache.misses(), cache.hitBytes(), cache.evictions());
  }

  /**
   * Counters of a cache.
   *
   * @param heldBytes bytes the cache holds now
   * @param hits shard reads answered from the cache
   * @param misses shard reads the cache could not answer
   * @param hitBytes bytes answered from the cache
   * @param evictions entries dropped to stay under the cap, or because they were damaged
   */
  public record Stats(long heldBytes, long hits, long misses, long hitBytes, long evictions) {}

  /**
   * Takes over a mapping of a locally cached shard, as {@link io.mlobj.Dataset#readShardBuffer}
   * returns it (a direct buffer), as Arrow memory of {@code allocator}, counted against its limit
   * and holding one reference. The file is unmapped as soon as that reference and those of every
   * vector loaded from the buffer are released, instead of whenever a garbage collection finds the
   * mapping unreachable; the caller must not use the {@link ByteBuffer} afterwards. Only for direct
   * buffers: a heap buffer holds fetched bytes, which need no unmapping.
   */
  public static ArrowBuf adoptMapping(BufferAllocator allocator, ByteBuffer mapping) {
    return MappedFiles.wrapAndUnmapOnRelease(allocator, mapping);
  }

  @Override
  public String toString() {
    return "LocalCache(" + dir() + ", " + capBytes() + " bytes)";
  }
}
