package io.mlobj.internal.commit;

import io.mlobj.internal.KernelThreads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A store write that runs on a daemon thread while the committing thread does other requests (the
 * new shards' manifest while the latest version is found): a commit then waits for the slower of
 * the two instead of their sum. {@link #await} rethrows the write's own exception, so a failed
 * write reads as if it had run on the caller's thread.
 */
final class BackgroundWrite {
  /** Shared by every commit of the JVM; idle threads end after a few seconds. */
  private static final ExecutorService POOL = pool();

  private final CompletableFuture<Void> future;

  private BackgroundWrite(CompletableFuture<Void> future) {
    this.future = future;
  }

  /** Starts {@code write}; with nothing to write ({@code write == null}) a finished one. */
  static BackgroundWrite start(Runnable write) {
    return new BackgroundWrite(
        write == null
            ? CompletableFuture.completedFuture(null)
            : CompletableFuture.runAsync(write, POOL));
  }

  /** Waits for the write; throws its exception if it failed. */
  void await() {
    try {
      future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /**
   * Waits for the write and ignores its outcome: a commit that failed otherwise must not return
   * while its write still runs.
   */
  void awaitQuietly() {
    try {
      future.join();
    } catch (RuntimeException e) {
      // The commit's own failure is the one reported.
    }
  }

  private static ExecutorService pool() {
    // One thread per concurrent commit: a commit never queues behind another's write.
    return new ThreadPoolExecutor(
        0,
        Integer.MAX_VALUE,
        5,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        KernelThreads.named("mlobj-commit-write-"));
  }
}
