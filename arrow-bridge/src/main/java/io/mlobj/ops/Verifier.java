package io.mlobj.ops;

import io.mlobj.MlobjException;
import io.mlobj.ScanTask;
import io.mlobj.Shard;
import io.mlobj.Snapshot;
import io.mlobj.arrow.BatchReader;
import io.mlobj.internal.KernelThreads;
import io.mlobj.store.ObjectStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Checks that every shard of a version is present, has the recorded size and CRC32C, and (with
 * {@code decode}) that it decodes. Reads shards in parallel; memory is bounded by the parallelism
 * times the shard size.
 *
 * <pre>{@code
 * VerifyReport report = Verifier.verify(dataset.latest(), 4, false, Progress.NONE);
 * if (!report.ok()) report.problems().forEach(p -> System.err.println(p.message()));
 * }</pre>
 *
 * <p>Stable API.
 */
public final class Verifier {
  private Verifier() {}

  public static VerifyReport verify(
      Snapshot snapshot, int parallelism, boolean decode, Progress progress) {
    List<Shard> shards = snapshot.shards();
    ObjectStore store = snapshot.dataset().store();
    List<VerifyReport.Problem> problems = Collections.synchronizedList(new ArrayList<>());
    AtomicLong done = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.max(1, parallelism), KernelThreads.named("mlobj-ops-"));
    try {
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (Shard shard : shards) {
        all.add(
            CompletableFuture.runAsync(
                () -> {
                  check(snapshot, store, shard, decode, problems, bytes);
                  progress.update(done.incrementAndGet(), shards.size(), bytes.get());
                },
                pool));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    } finally {
      pool.shutdownNow();
    }
    List<VerifyReport.Problem> sorted = new ArrayList<>(problems);
    sorted.sort(java.util.Comparator.comparing(VerifyReport.Problem::object));
    return new VerifyReport(
        snapshot.dataset().uri(),
        snapshot.version(),
        shards.size(),
        bytes.get(),
        List.copyOf(sorted));
  }

  private static void check(
      Snapshot snapshot,
      ObjectStore store,
      Shard shard,
      boolean decode,
      List<VerifyReport.Problem> problems,
      AtomicLong bytes) {
    String object = store.uri(shard.path());
    try {
      if (!decode) {
        // The stored object is what is verified, never a locally cached copy.
        snapshot.dataset().withoutLocalCache().readShardBytes(snapshot.version(), shard, true);
      } else {
        try (BufferAllocator allocator = new RootAllocator();
            BatchReader reader =
                snapshot
                    .dataset()
                    .withoutLocalCache()
                    .newTaskReader(snapshot.schema())
                    .build()
                    .open(snapshot.version(), ScanTask.whole(shard), allocator)) {
          while (reader.next()) {
            // Decoding every batch is the check.
          }
        }
      }
      bytes.addAndGet(shard.bytes());
    } catch (MlobjException e) {
      problems.add(new VerifyReport.Problem(object, classify(e), e.getMessage()));
    } catch (RuntimeException e) {
      problems.add(
          new VerifyReport.Problem(
              object, VerifyReport.Kind.UNREADABLE, String.valueOf(e.getMessage())));
    }
  }

  private static VerifyReport.Kind classify(MlobjException e) {
    String m = String.valueOf(e.getMessage());
    if (e.kind() == MlobjException.Kind.NOT_FOUND) {
      return VerifyReport.Kind.MISSING;
    }
    if (m.contains("CRC32C")) {
      return VerifyReport.Kind.CHECKSUM_MISMATCH;
    }
    if (m.contains("bytes, the manifest says")) {
      return VerifyReport.Kind.SIZE_MISMATCH;
    }
    return VerifyReport.Kind.UNREADABLE;
  }
}
