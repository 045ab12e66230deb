package io.mlobj.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.Lineage;
import io.mlobj.internal.registry.MetadataIndex;
import io.mlobj.internal.registry.RegistryLayout;
import io.mlobj.testing.EmbeddedS3Extension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The index claim: with 100,000 index entries in the registry, a query lists only the entries of
 * its own prefixes. Prints the measured figures (no timing assertion; the assertion is on the work
 * done, which is what makes the query independent of the bucket's size).
 *
 * <p>The entries are written as empty files straight into the embedded S3 server's data directory
 * (its filesystem backend keeps one file per object): S3Proxy takes about 200 PUTs/s on the shared
 * 2-core CI machine, so 100k PUTs over HTTP would take minutes. The queries then run over the S3
 * protocol against a bucket that holds all of them. The suite writes 5,000 to stay fast on CI;
 * {@code -Dmlobj.scale.entries=100000} runs the full claim, and {@code -Dmlobj.scale.scan=true}
 * also times one full listing of the index (what a query without the index would cost).
 */
class IndexScaleITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private static final boolean SCAN = Boolean.getBoolean("mlobj.scale.scan");

  private static final int ENTRIES = Integer.getInteger("mlobj.scale.entries", 5_000);

  @Test
  void queryListsOnlyItsOwnPrefixesAmongManyEntries() throws Exception {
    String prefix = "scale-" + UUID.randomUUID();
    String root = "s3a://" + EmbeddedS3Extension.BUCKET + "/" + prefix;
    try (CheckpointRegistry registry = CheckpointRegistry.open(root, S3.conf())) {
      String target = "s3a://data/images";
      long start = System.nanoTime();
      writeNoise(
          S3.server().dataDir().resolve(EmbeddedS3Extension.BUCKET).resolve(prefix), ENTRIES);
      double writeSeconds = (System.nanoTime() - start) / 1e9;

      registry.put("cnn", new byte[] {1}, Map.of("loss", "0.4"), List.of(Lineage.ref(target, 3)));
      registry.put("cnn", new byte[] {2}, Map.of("loss", "0.2"), List.of(Lineage.ref(target, 3)));
      registry.put("cnn", new byte[] {3}, Map.of(), List.of(Lineage.ref(target, 2)));
      registry.tag("cnn", 2, "tested");
      registry.tag("cnn", 3, "tested");

      RegistryQuery query = registry.query().checkpoints().tag("tested").trainedOn(target, 3);
      query.execute(); // warm up connections and classes
      QueryResult result =
          registry.query().checkpoints().tag("tested").trainedOn(target, 3).execute();
      assertThat(result.hits()).extracting(QueryHit::ref).containsExactly("cnn@v2");
      assertThat(result.keysListed()).isEqualTo(2);
      assertThat(anyVersionKeys(registry, target)).isEqualTo(3);

      QueryResult anyVersion = registry.query().checkpoints().trainedOn(target, 0).execute();
      long scanStart = System.nanoTime();
      int scanned = SCAN ? registry.store().list(RegistryLayout.INDEX, null).size() : -1;
      double scanMillis = (System.nanoTime() - scanStart) / 1e6;

      System.out.printf(
          "INDEX SCALE: %d noise entries written in %.1f s (%.0f/s); query tag=tested &"
              + " trained-on=%s@v3: %d ms, %d listings, %d keys listed, %d records read;"
              + " trained-on any version (%d hits): %d ms, %d keys listed; one full listing of the"
              + " index (%d keys) for comparison: %.0f ms%n",
          ENTRIES,
          writeSeconds,
          ENTRIES / writeSeconds,
          target,
          result.elapsedMillis(),
          result.listCalls(),
          result.keysListed(),
          result.recordsRead(),
          anyVersion.hits().size(),
          anyVersion.elapsedMillis(),
          anyVersion.keysListed(),
          scanned,
          scanMillis);
      if (scanned >= 0) {
        assertThat(scanned).isGreaterThanOrEqualTo(ENTRIES);
      }
    }
  }

  private static long anyVersionKeys(CheckpointRegistry registry, String target) {
    return registry.query().trainedOn(target, 0).execute().keysListed();
  }

  /**
   * Writes index entries the way {@link MetadataIndex} does (empty objects through the S3 API): 90%
   * lineage entries of 1,000 other datasets x 10 versions, 10% 'tested' tags, in parallel.
   */
  private static void writeNoise(Path dir, int count) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      int chunk = 1000;
      for (int from = 0; from < count; from += chunk) {
        int start = from;
        int end = Math.min(count, from + chunk);
        futures.add(
            pool.submit(
                () -> {
                  for (int i = start; i < end; i++) {
                    String entry = RegistryLayout.ckptEntry("m" + (i % 7), i + 1L);
                    String key =
                        i % 10 == 0
                            ? RegistryLayout.tagPrefix("tested") + entry
                            : RegistryLayout.lineagePrefix(
                                    "s3a://data/d" + (i % 1000), i / 1000 % 10 + 1)
                                + entry;
                    Path file = dir.resolve(key);
                    Files.createDirectories(file.getParent());
                    Files.createFile(file);
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
