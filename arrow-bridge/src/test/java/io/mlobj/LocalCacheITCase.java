package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.cache.LocalCache;
import io.mlobj.internal.store.LocalObjectCache;
import io.mlobj.ops.Progress;
import io.mlobj.ops.Verifier;
import io.mlobj.ops.VerifyReport;
import io.mlobj.testing.EmbeddedS3Extension;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local shard cache ({@code mlobj.cache.dir}) against a real S3 server: a second read of a
 * version comes from local disk, a damaged cached copy never reaches a reader, a damaged object
 * never enters the cache, and verifying a version checks the stored objects, not the cache.
 *
 * <p>Every dataset has version 2 (ids 0..9, Arrow IPC) and 3 (ids 10..19, Parquet).
 */
class LocalCacheITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @TempDir Path cacheDir;
  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();
  private Map<String, String> conf;
  private Dataset dataset;

  @BeforeEach
  void setUp() {
    conf = new HashMap<>(S3.conf());
    conf.put(MlobjConf.CACHE_DIR, cacheDir.toString());
    conf.put(MlobjConf.CACHE_SIZE, "64m");
    dataset = SmallRows.create(S3.newDatasetUri(), S3.conf());
    SmallRows.append(dataset, arrow.allocator(), ShardFormat.ARROW, 0, 0, 10);
    SmallRows.append(dataset, arrow.allocator(), ShardFormat.PARQUET, 0, 10, 10);
  }

  private List<Long> readThroughCache() {
    return SmallRows.ids(Dataset.open(dataset.uri(), conf).latest(), arrow.allocator());
  }

  private static List<Long> allIds() {
    return LongStream.range(0, 20).boxed().toList();
  }

  private List<Path> cachedFiles() throws Exception {
    try (Stream<Path> files = Files.list(cacheDir)) {
      return files.filter(f -> f.toString().endsWith(".obj")).toList();
    }
  }

  private List<Shard> shards() {
    return dataset.latest().shards();
  }

  @Test
  void aSecondReadComesFromLocalDiskEvenWithTheObjectsGone() throws Exception {
    assertThat(readThroughCache()).containsExactlyInAnyOrderElementsOf(allIds());
    LocalObjectCache cache = Dataset.at(dataset.uri(), conf).localCache();
    assertThat(cachedFiles()).hasSize(2);
    long hits = cache.hits();

    for (Shard shard : shards()) {
      dataset.store().delete(shard.path());
    }

    assertThat(readThroughCache()).containsExactlyInAnyOrderElementsOf(allIds());
    assertThat(cache.hits() - hits).isEqualTo(2);
  }

  @Test
  void theCacheIsSeenOutsideTheKernelWithItsCountersAndMappingsItsReadersOwn() {
    MlobjConf withCache = MlobjConf.of(conf);
    assertThat(LocalCache.configured(MlobjConf.of(S3.conf()))).isFalse();
    assertThat(LocalCache.of(MlobjConf.of(S3.conf()))).isEmpty();
    Dataset handle = Dataset.at(dataset.uri(), conf);
    Shard shard = shards().get(0);
    assertThat(handle.isCachedLocally(shard)).isFalse();

    readThroughCache();

    LocalCache cache = LocalCache.of(withCache).orElseThrow();
    assertThat(LocalCache.configured(withCache)).isTrue();
    assertThat(cache.dir()).isEqualTo(cacheDir.toAbsolutePath().normalize());
    assertThat(cache.capBytes()).isEqualTo(64L << 20);
    assertThat(cache.stats().heldBytes()).isEqualTo(dataset.latest().bytes());
    assertThat(handle.isCachedLocally(shard)).isTrue();
    assertThat(dataset.isCachedLocally(shard)).isFalse(); // a handle without a cache
    long hits = cache.stats().hits();

    ByteBuffer mapping = handle.readShardBuffer(3, shard, true);

    assertThat(mapping.isDirect()).isTrue();
    assertThat(cache.stats().hits()).isEqualTo(hits + 1);
    try (BufferAllocator mappings =
        arrow.allocator().newChildAllocator("mappings", 0, Long.MAX_VALUE)) {
      ArrowBuf owned = LocalCache.adoptMapping(mappings, mapping);
      assertThat(mappings.getAllocatedMemory()).isEqualTo(shard.bytes());
      owned.close();
      assertThat(mappings.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void aDamagedCachedCopyIsDroppedAndTheStoredObjectReadAndCachedAgain() throws Exception {
    readThroughCache();
    for (Path file : cachedFiles()) {
      byte[] damaged = Files.readAllBytes(file);
      damaged[damaged.length / 2] ^= 0x40;
      Files.write(file, damaged);
    }

    assertThat(readThroughCache()).containsExactlyInAnyOrderElementsOf(allIds());

    List<Path> files = cachedFiles();
    assertThat(files).hasSize(2);
    List<byte[]> stored = shards().stream().map(s -> dataset.store().read(s.path())).toList();
    for (Path file : files) {
      byte[] cached = Files.readAllBytes(file);
      assertThat(stored).anySatisfy(s -> assertThat(s).isEqualTo(cached));
    }
  }

  @Test
  void aDamagedStoredObjectFailsTheReadAndNeverEntersTheCache() throws Exception {
    Shard shard = shards().get(0);
    byte[] original = dataset.store().read(shard.path());
    byte[] damaged = original.clone();
    damaged[damaged.length / 2] ^= 0x40;
    dataset.store().put(shard.path(), damaged, Map.of());

    assertThatThrownBy(this::readThroughCache)
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("CRC32C mismatch");
    assertThat(cachedFiles()).hasSizeLessThanOrEqualTo(1);

    dataset.store().put(shard.path(), original, Map.of());
    assertThat(readThroughCache()).containsExactlyInAnyOrderElementsOf(allIds());
    assertThat(cachedFiles()).hasSize(2);
  }

  @Test
  void verifyingAVersionChecksTheStoredObjectsNotTheCachedCopies() {
    readThroughCache();
    Shard shard = shards().get(0);
    dataset.store().delete(shard.path());

    Snapshot cached = Dataset.open(dataset.uri(), conf).latest();
    VerifyReport report = Verifier.verify(cached, 2, false, Progress.NONE);

    assertThat(report.ok()).isFalse();
    assertThat(report.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.kind()).isEqualTo(VerifyReport.Kind.MISSING));
  }
}
