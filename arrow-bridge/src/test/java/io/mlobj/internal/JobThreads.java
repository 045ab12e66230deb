package io.mlobj.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Starts tasks on a kernel pool the way an engine's job does: from a thread whose context class
 * loader is the job's own (in Flink, a user-code class loader closed when the job ends).
 */
public final class JobThreads {
  private JobThreads() {}

  /**
   * Has a job thread hand {@code tasks} tasks to {@code start}, all running at once (so a pool with
   * fewer idle threads must start new ones from the job thread), and returns the context class
   * loader each task ran under.
   */
  public static List<ClassLoader> loadersSeenByTasksStartedFromAJob(
      int tasks, Consumer<Runnable> start) throws InterruptedException {
    ClassLoader jobLoader = new ClassLoader(JobThreads.class.getClassLoader()) {};
    CountDownLatch running = new CountDownLatch(tasks);
    CountDownLatch release = new CountDownLatch(1);
    Queue<ClassLoader> seen = new ConcurrentLinkedQueue<>();
    Thread job =
        new Thread(
            () -> {
              for (int i = 0; i < tasks; i++) {
                start.accept(
                    () -> {
                      seen.add(Thread.currentThread().getContextClassLoader());
                      running.countDown();
                      awaitQuietly(release);
                    });
              }
            },
            "job");
    job.setContextClassLoader(jobLoader);
    job.start();
    job.join();
    boolean allRan = running.await(30, TimeUnit.SECONDS);
    release.countDown();
    if (!allRan) {
      throw new AssertionError("only " + seen.size() + " of " + tasks + " tasks ran at once");
    }
    return new ArrayList<>(seen);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
