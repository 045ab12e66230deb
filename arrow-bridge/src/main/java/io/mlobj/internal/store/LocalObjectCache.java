package io.mlobj.internal.store;

import io.mlobj.MlobjConf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local-disk cache of immutable objects (data shards), bounded in bytes, least recently used
 * first out: what a trainer node's NVMe is for. Later epochs of a dataset read its shards from the
 * page cache or local disk instead of paying for an HTTP request, the S3 server's work and the
 * network again.
 *
 * <p>Only objects that never change may be cached: an entry is named by the object's URI and CRC32C
 * and checked against its size, as the manifest records them, so a different object at the same URI
 * (a dataset deleted and recreated) is a different entry. Callers admit only bytes whose CRC32C
 * matched the manifest, and a hit is verified again by callers that verify checksums; a damaged
 * entry is {@link #evict evicted} and the object fetched again, so the cache never turns a good
 * object into an error.
 *
 * <p>Entries are written to a temporary file and renamed into place, so a crash leaves no partial
 * entry (leftover temporary files are deleted when the cache opens). One instance per directory and
 * JVM ({@link #open}); several processes may share a directory, each then bounding only what it
 * added since it opened. Eviction order survives restarts through the files' modification times,
 * which hits refresh.
 */
public final class LocalObjectCache {
  private static final Logger LOG = LoggerFactory.getLogger(LocalObjectCache.class);
  private static final String SUFFIX = ".obj";
  private static final String TEMP_SUFFIX = ".tmp";
  private static final int WRITE_SLICE = 1 << 20;
  private static final Map<Path, LocalObjectCache> OPEN = new ConcurrentHashMap<>();

  private final Path dir;
  private final long capBytes;
  private final LinkedHashMap<String, Long> sizes = new LinkedHashMap<>(64, 0.75f, true);
  private long heldBytes;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong hitBytes = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();

  private LocalObjectCache(Path dir, long capBytes) {
    if (capBytes <= 0) {
      throw new IllegalArgumentException(
          "The local cache in " + dir + " needs a positive size, got " + capBytes);
    }
    this.dir = dir;
    this.capBytes = capBytes;
  }

  /**
   * The cache in {@code dir} (created if missing), shared by every caller in this JVM; the first
   * caller's cap applies.
   *
   * @throws UncheckedIOException if the directory cannot be created or listed
   */
  public static LocalObjectCache open(Path dir, long capBytes) {
    LocalObjectCache cache =
        OPEN.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> openUnshared(d, capBytes));
    if (cache.capBytes != capBytes) {
      LOG.warn(
          "The local cache in {} is already open with a cap of {} bytes; ignoring the cap of {}",
          cache.dir,
          cache.capBytes,
          capBytes);
    }
    return cache;
  }

  /** A new instance over the directory, as a restarted process sees it (for tests). */
  public static LocalObjectCache openUnshared(Path dir, long capBytes) {
    LocalObjectCache cache = new LocalObjectCache(dir.toAbsolutePath().normalize(), capBytes);
    cache.load();
    return cache;
  }

  /**
   * The cache that {@code mlobj.cache.dir} and {@code mlobj.cache.size} configure, or null when no
   * directory is set.
   */
  public static LocalObjectCache fromConf(MlobjConf conf) {
    if (!configured(conf)) {
      return null;
    }
    String dir = conf.get(MlobjConf.CACHE_DIR);
    return open(
        Path.of(dir.trim()), conf.getBytes(MlobjConf.CACHE_SIZE, MlobjConf.DEFAULT_CACHE_SIZE));
  }

  /** Whether {@code mlobj.cache.dir} names a directory (without opening it). */
  public static boolean configured(MlobjConf conf) {
    String dir = conf.get(MlobjConf.CACHE_DIR);
    return dir != null && !dir.isBlank();
  }

  /** The cache directory. */
  public Path dir() {
    return dir;
  }

  /** The most bytes the cache keeps. */
  public long capBytes() {
    return capBytes;
  }

  /**
   * The cached bytes of an object, if present with the expected size: a private (copy-on-write)
   * memory mapping of the entry, so a hit costs no copy and no heap (the pages are the OS page
   * cache) and a write through the buffer never reaches the file. The caller owns the mapping: it
   * stays valid even if the entry is evicted meanwhile, until the caller unmaps it ({@link
   * io.mlobj.internal.arrow.MappedFiles}) or a garbage collection finds it unreachable. A hit
   * refreshes the entry's place in the eviction order.
   */
  public Optional<ByteBuffer> get(String objectUri, long size, long crc32c) {
    String name = name(objectUri, crc32c);
    synchronized (this) {
      Long held = sizes.get(name);
      if (held == null || held != size || size > Integer.MAX_VALUE) {
        misses.incrementAndGet();
        return Optional.empty();
      }
    }
    Path file = dir.resolve(name);
    try {
      ByteBuffer mapped = map(file, size);
      if (mapped == null) {
        evict(objectUri, crc32c);
        misses.incrementAndGet();
        return Optional.empty();
      }
      touch(file);
      hits.incrementAndGet();
      hitBytes.addAndGet(size);
      return Optional.of(mapped);
    } catch (NoSuchFileException e) {
      // Removed by another process sharing the directory.
      forget(name);
      misses.incrementAndGet();
      return Optional.empty();
    } catch (IOException e) {
      LOG.warn("Cannot read the cached copy {} of {}; reading the object instead", file, objectUri);
      evict(objectUri, crc32c);
      misses.incrementAndGet();
      return Optional.empty();
    }
  }

  /** A private mapping of a whole entry file, or null if the file does not have that size. */
  private static ByteBuffer map(Path file, long size) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      return channel.size() == size ? channel.map(FileChannel.MapMode.PRIVATE, 0, size) : null;
    }
  }

  /** Whether an entry for the object is indexed (it may still vanish before it is read). */
  public synchronized boolean contains(String objectUri, long size, long crc32c) {
    Long held = sizes.get(name(objectUri, crc32c));
    return held != null && held == size;
  }

  /**
   * Adds an object whose bytes were verified against its CRC32C, evicting least recently used
   * entries to stay under the cap. An object larger than the cap is not kept. A failure to write (a
   * full disk) is logged and leaves the cache as it was: the cache is an optimisation only.
   *
   * @return whether the object was added
   */
  public boolean put(String objectUri, long crc32c, byte[] bytes) {
    if (bytes.length > capBytes) {
      return false;
    }
    String name = name(objectUri, crc32c);
    synchronized (this) {
      if (sizes.containsKey(name)) {
        return false;
      }
    }
    Path file = dir.resolve(name);
    Path temp = dir.resolve(name + "." + Thread.currentThread().getId() + TEMP_SUFFIX);
    try {
      write(temp, bytes);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      LOG.warn("Cannot cache {} in {}: {}", objectUri, dir, e.toString());
      deleteQuietly(temp);
      return false;
    }
    List<String> victims;
    synchronized (this) {
      if (sizes.putIfAbsent(name, (long) bytes.length) == null) {
        heldBytes += bytes.length;
      }
      victims = overflow();
    }
    victims.forEach(v -> deleteQuietly(dir.resolve(v)));
    return true;
  }

  /**
   * A private mapping of an entry, as {@link #get} gives it, without counting a hit: for a caller
   * that has just {@link #put} the object and reads it now. Empty if the entry is gone.
   */
  public Optional<ByteBuffer> map(String objectUri, long size, long crc32c) {
    try {
      return Optional.ofNullable(map(dir.resolve(name(objectUri, crc32c)), size));
    } catch (IOException e) {
      return Optional.empty(); // e.g. evicted at once by another process sharing the directory
    }
  }

  /**
   * Writes a file in slices: a heap array written whole goes through a temporary direct buffer as
   * large as the array, which the JDK then keeps per thread.
   */
  private static void write(Path file, byte[] bytes) throws IOException {
    try (FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      for (int offset = 0; offset < bytes.length; offset += WRITE_SLICE) {
        ByteBuffer slice =
            ByteBuffer.wrap(bytes, offset, Math.min(WRITE_SLICE, bytes.length - offset));
        while (slice.hasRemaining()) {
          channel.write(slice);
        }
      }
    }
  }

  /** Drops an entry (e.g. one whose bytes failed verification). */
  public void evict(String objectUri, long crc32c) {
    String name = name(objectUri, crc32c);
    if (forget(name)) {
      evictions.incrementAndGet();
    }
    deleteQuietly(dir.resolve(name));
  }

  /** Bytes the cache holds. */
  public synchronized long heldBytes() {
    return heldBytes;
  }

  /** Lookups answered from the cache. */
  public long hits() {
    return hits.get();
  }

  /** Lookups the cache could not answer. */
  public long misses() {
    return misses.get();
  }

  /** Bytes answered from the cache. */
  public long hitBytes() {
    return hitBytes.get();
  }

  /** Entries dropped to stay under the cap or because they were damaged. */
  public long evictions() {
    return evictions.get();
  }

  private synchronized boolean forget(String name) {
    Long size = sizes.remove(name);
    if (size != null) {
      heldBytes -= size;
      return true;
    }
    return false;
  }

  /** Removes least recently used entries beyond the cap; returns their names for deletion. */
  private List<String> overflow() {
    List<String> victims = new ArrayList<>();
    Iterator<Map.Entry<String, Long>> it = sizes.entrySet().iterator();
    while (heldBytes > capBytes && it.hasNext()) {
      Map.Entry<String, Long> e = it.next();
      heldBytes -= e.getValue();
      victims.add(e.getKey());
      it.remove();
      evictions.incrementAndGet();
    }
    return victims;
  }

  /** Indexes the entries already in the directory, oldest first; drops leftover temp files. */
  private void load() {
    record Found(String name, long size, FileTime modified) {}
    List<Found> found = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path file : files) {
          String name = file.getFileName().toString();
          if (name.endsWith(TEMP_SUFFIX)) {
            deleteQuietly(file);
          } else if (name.endsWith(SUFFIX) && Files.isRegularFile(file)) {
            found.add(new Found(name, Files.size(file), Files.getLastModifiedTime(file)));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot open the local shard cache in "
              + dir
              + " ("
              + MlobjConf.CACHE_DIR
              + "): "
              + e
              + ". Choose a writable local directory, or unset it to read without a cache.",
          e);
    }
    found.sort(Comparator.comparing(Found::modified));
    List<String> victims;
    synchronized (this) {
      for (Found f : found) {
        sizes.put(f.name(), f.size());
        heldBytes += f.size();
      }
      victims = overflow();
    }
    victims.forEach(v -> deleteQuietly(dir.resolve(v)));
  }

  /** The entry name: a digest of the URI (any characters, any length) plus the CRC32C. */
  public static String name(String objectUri, long crc32c) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(objectUri.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 20) + "-" + Long.toHexString(crc32c) + SUFFIX;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static void touch(Path file) {
    try {
      Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException ignored) {
      // Only the order after a restart is affected.
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("Cannot delete {}: {}", file, e.toString());
    }
  }
}
