package io.mlobj.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.internal.store.LocalObjectCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalObjectCacheTest {
  @TempDir Path dir;

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) seed);
    b[0] = (byte) (seed + 1);
    return b;
  }

  static long entries(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".obj")).count();
    }
  }

  @Test
  void anAddedObjectIsReadBackAndAnUnknownOneIsAMiss() {
    LocalObjectCache cache = LocalObjectCache.openUnshared(dir, 1 << 20);
    byte[] data = bytes(1000, 7);
    assertThat(cache.put("s3a://b/ds/data/00/a.arrow", 42, data)).as("added").isTrue();
    assertThat(cache.map("s3a://b/ds/data/00/a.arrow", 1000, 42))
        .as("the new entry, mapped")
        .hasValue(java.nio.ByteBuffer.wrap(data));
    assertThat(cache.put("s3a://b/ds/data/00/a.arrow", 42, data)).as("already there").isFalse();

    assertThat(cache.get("s3a://b/ds/data/00/a.arrow", 1000, 42))
        .hasValue(java.nio.ByteBuffer.wrap(data));
    assertThat(cache.get("s3a://b/ds/data/00/b.arrow", 1000, 42)).isEmpty();
    assertThat(cache.contains("s3a://b/ds/data/00/a.arrow", 1000, 42)).isTrue();
    assertThat(cache.contains("s3a://b/ds/data/00/a.arrow", 1000, 41)).isFalse();
    assertThat(cache.hits()).isEqualTo(1);
    assertThat(cache.misses()).isEqualTo(1);
    assertThat(cache.hitBytes()).isEqualTo(1000);
    assertThat(cache.heldBytes()).isEqualTo(1000);
  }

  @Test
  void theSameUriWithAnotherChecksumOrSizeIsADifferentObject() {
    LocalObjectCache cache = LocalObjectCache.openUnshared(dir, 1 << 20);
    cache.put("s3a://b/ds/data/00/a.arrow", 42, bytes(1000, 7));

    assertThat(cache.get("s3a://b/ds/data/00/a.arrow", 1000, 43)).isEmpty();
    assertThat(cache.get("s3a://b/ds/data/00/a.arrow", 999, 42)).isEmpty();
  }

  @Test
  void theLeastRecentlyUsedEntriesGoFirstWhenTheCapIsReached() throws Exception {
    LocalObjectCache cache = LocalObjectCache.openUnshared(dir, 3000);
    cache.put("u/a", 1, bytes(1000, 1));
    cache.put("u/b", 2, bytes(1000, 2));
    cache.put("u/c", 3, bytes(1000, 3));
    assertThat(cache.get("u/a", 1000, 1)).isPresent(); // a is now the most recently used

    cache.put("u/d", 4, bytes(1000, 4));

    assertThat(cache.get("u/b", 1000, 2)).isEmpty();
    assertThat(cache.get("u/a", 1000, 1)).isPresent();
    assertThat(cache.get("u/c", 1000, 3)).isPresent();
    assertThat(cache.get("u/d", 1000, 4)).isPresent();
    assertThat(cache.heldBytes()).isEqualTo(3000);
    assertThat(cache.evictions()).isEqualTo(1);
    assertThat(entries(dir)).isEqualTo(3);
  }

  @Test
  void anObjectLargerThanTheCapIsNotKept() throws Exception {
    LocalObjectCache cache = LocalObjectCache.openUnshared(dir, 500);
    cache.put("u/big", 1, bytes(1000, 1));

    assertThat(cache.get("u/big", 1000, 1)).isEmpty();
    assertThat(cache.heldBytes()).isZero();
    assertThat(entries(dir)).isZero();
  }

  @Test
  void aRestartedProcessFindsTheEntriesAndDropsLeftoverTemporaryFiles() throws Exception {
    LocalObjectCache first = LocalObjectCache.openUnshared(dir, 1 << 20);
    byte[] data = bytes(2000, 9);
    first.put("u/a", 5, data);
    Path leftover = dir.resolve(LocalObjectCache.name("u/b", 6) + ".17.tmp");
    Files.write(leftover, bytes(10, 1));

    LocalObjectCache second = LocalObjectCache.openUnshared(dir, 1 << 20);

    assertThat(second.heldBytes()).isEqualTo(2000);
    assertThat(second.get("u/a", 2000, 5)).hasValue(java.nio.ByteBuffer.wrap(data));
    assertThat(leftover).doesNotExist();
  }

  @Test
  void aRestartWithASmallerCapEvictsTheOldestEntries() throws Exception {
    LocalObjectCache first = LocalObjectCache.openUnshared(dir, 1 << 20);
    first.put("u/old", 1, bytes(1000, 1));
    Files.setLastModifiedTime(
        dir.resolve(LocalObjectCache.name("u/old", 1)),
        java.nio.file.attribute.FileTime.fromMillis(1000));
    first.put("u/new", 2, bytes(1000, 2));

    LocalObjectCache second = LocalObjectCache.openUnshared(dir, 1500);

    assertThat(second.get("u/old", 1000, 1)).isEmpty();
    assertThat(second.get("u/new", 1000, 2)).isPresent();
    assertThat(entries(dir)).isEqualTo(1);
  }

  @Test
  void aTruncatedOrDeletedEntryIsAMissAndIsForgotten() throws Exception {
    LocalObjectCache cache = LocalObjectCache.openUnshared(dir, 1 << 20);
    cache.put("u/a", 1, bytes(1000, 1));
    cache.put("u/b", 2, bytes(1000, 2));
    Path a = dir.resolve(LocalObjectCache.name("u/a", 1));
    Files.write(a, bytes(10, 1));
    Files.delete(dir.resolve(LocalObjectCache.name("u/b", 2)));

    assertThat(cache.get("u/a", 1000, 1)).isEmpty();
    assertThat(cache.get("u/b", 1000, 2)).isEmpty();
    assertThat(cache.heldBytes()).isZero();
    assertThat(a).doesNotExist();
  }

  @Test
  void aCacheDirectoryThatIsAFileIsAnErrorNamingTheSetting() throws Exception {
    Path file = Files.write(dir.resolve("not-a-dir"), new byte[] {1});
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> LocalObjectCache.openUnshared(file, 1 << 20))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("mlobj.cache.dir")
        .hasMessageContaining("Choose a writable local directory");
  }

  @Test
  void aZeroOrNegativeSizeIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> LocalObjectCache.openUnshared(dir, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive size");
  }
}
