package io.mlobj;

import io.mlobj.arrow.BatchReader;
import io.mlobj.internal.KernelThreads;
import io.mlobj.internal.arrow.ByteBuffers;
import io.mlobj.internal.arrow.MappedFiles;
import io.mlobj.internal.store.LocalObjectCache;
import io.mlobj.store.ObjectNotFoundException;
import io.mlobj.store.ObjectStore;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fetches shard objects, verifies them and opens batch readers over them. */
final class ShardIo {
  private static final Logger LOG = LoggerFactory.getLogger(ShardIo.class);

  private ShardIo() {}

  /**
   * A pool of up to {@code threads} daemon threads for shard fetches or uploads, owned by the
   * reader or writer that creates it, which shuts it down when it closes. Idle threads end after a
   * few seconds.
   */
  static ExecutorService ownedPool(String use, int threads) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            5,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            KernelThreads.named("mlobj-" + use + "-"));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Reads a shard's bytes, as {@link #fetchBuffer} does, into a heap array. */
  static byte[] fetch(
      ObjectStore store,
      LocalObjectCache cache,
      long version,
      Shard shard,
      boolean verify,
      ScanMetrics metrics) {
    ByteBuffer buffer = fetchBuffer(store, cache, version, shard, verify, false, metrics);
    try {
      return ByteBuffers.toArray(buffer);
    } finally {
      if (buffer.isDirect()) {
        // A mapping of the locally cached copy: unmap it now, not at some GC.
        MappedFiles.unmap(buffer);
      }
    }
  }

  /**
   * Reads a shard's bytes, checking size and (optionally) CRC32C against the manifest. With a local
   * cache, a cached copy is read instead of the object when there is one: a memory mapping of it,
   * which the caller owns (wrap it with {@link MappedFiles#wrapAndUnmapOnRelease} or unmap it); a
   * fetched object enters the cache only once its CRC32C matched (and with {@code mapAdmitted}
   * comes back as a mapping of its new entry, as it will be read in later epochs), and a cached
   * copy that fails verification is dropped and the object fetched again.
   */
  static ByteBuffer fetchBuffer(
      ObjectStore store,
      LocalObjectCache cache,
      long version,
      Shard shard,
      boolean verify,
      boolean mapAdmitted,
      ScanMetrics metrics) {
    String object = store.uri(shard.path());
    if (cache != null) {
      ByteBuffer cached = cache.get(object, shard.bytes(), shard.crc32c()).orElse(null);
      if (cached != null) {
        if (!verify || crc32c(cached) == shard.crc32c()) {
          return cached;
        }
        LOG.warn("The cached copy of {} in {} is damaged; fetching it again", object, cache.dir());
        MappedFiles.unmap(cached);
        cache.evict(object, shard.crc32c());
      }
    }
    long start = System.nanoTime();
    byte[] bytes;
    try {
      bytes = store.read(shard.path());
    } catch (ObjectNotFoundException e) {
      throw MlobjErrors.shardMissing(store.root(), version, object);
    }
    long fetched = System.nanoTime();
    if (metrics != null) {
      metrics.fetchNanos.addAndGet(fetched - start);
      metrics.bytesRead.addAndGet(bytes.length);
      metrics.shardsRead.incrementAndGet();
    }
    if (bytes.length != shard.bytes()) {
      throw MlobjErrors.sizeMismatch(store.root(), version, object, shard.bytes(), bytes.length);
    }
    if (verify || cache != null) {
      long crc = crc32c(bytes);
      if (metrics != null) {
        metrics.checksumNanos.addAndGet(System.nanoTime() - fetched);
      }
      if (crc == shard.crc32c()) {
        if (cache != null && cache.put(object, crc, bytes) && mapAdmitted) {
          // Read it as later epochs will: without copying it into Arrow memory.
          ByteBuffer admitted = cache.map(object, bytes.length, crc).orElse(null);
          if (admitted != null) {
            return admitted;
          }
        }
      } else if (verify) {
        throw MlobjErrors.checksumMismatch(store.root(), version, object, shard.crc32c(), crc);
      }
    }
    return ByteBuffer.wrap(bytes);
  }

  static long crc32c(ByteBuffer buffer) {
    CRC32C crc = new CRC32C();
    crc.update(buffer.duplicate());
    return crc.getValue();
  }

  static long crc32c(byte[] bytes) {
    return crc32c(ByteBuffer.wrap(bytes));
  }

  /** Opens a reader over fetched bytes of a task. */
  static BatchReader open(
      ObjectStore store,
      long version,
      ScanTask task,
      byte[] bytes,
      Schema schema,
      BufferAllocator allocator,
      int batchRows) {
    BatchReader reader;
    try {
      reader =
          ShardCodecs.of(task.shard().format())
              .open(
                  ShardCodec.Source.of(bytes),
                  schema,
                  allocator,
                  task.firstBatch(),
                  task.batchCount(),
                  batchRows);
    } catch (MlobjException e) {
      throw e;
    } catch (Exception e) {
      throw MlobjErrors.unreadableShard(
          store.root(), version, store.uri(task.shard().path()), String.valueOf(e.getMessage()));
    }
    return new DecodeErrors(reader, store.root(), version, store.uri(task.shard().path()));
  }

  /**
   * Turns a decoder failure while reading batches (damaged pages read without checksum
   * verification, data of a type the dataset's schema does not declare) into the same clear error
   * as a failure while opening the shard.
   */
  private static final class DecodeErrors implements BatchReader {
    private final BatchReader delegate;
    private final String dataset;
    private final long version;
    private final String object;

    DecodeErrors(BatchReader delegate, String dataset, long version, String object) {
      this.delegate = delegate;
      this.dataset = dataset;
      this.version = version;
      this.object = object;
    }

    @Override
    public boolean next() {
      try {
        return delegate.next();
      } catch (MlobjException e) {
        throw e;
      } catch (RuntimeException e) {
        throw MlobjErrors.unreadableShard(dataset, version, object, String.valueOf(e));
      }
    }

    @Override
    public org.apache.arrow.vector.VectorSchemaRoot root() {
      return delegate.root();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
