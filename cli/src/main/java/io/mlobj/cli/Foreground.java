package io.mlobj.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a server in the foreground until Ctrl-C (or for a fixed time, in tests), then closes it
 * exactly once: from the shutdown hook when the JVM is stopping, otherwise on the way out.
 */
final class Foreground {
  /** What to do once the server is up (print where it listens). */
  interface Announcement {
    void run() throws Exception;
  }

  private Foreground() {}

  /**
   * @param close stops the server
   * @param runForSeconds stop after this long; negative waits for Ctrl-C
   */
  static int serve(Runnable close, String threadName, long runForSeconds, Announcement announce)
      throws Exception {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              close.run();
              stopped.countDown();
            },
            threadName);
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      announce.run();
      if (runForSeconds >= 0) {
        stopped.await(runForSeconds, TimeUnit.SECONDS);
      } else {
        stopped.await();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
        close.run();
      } catch (IllegalStateException e) {
        // JVM shutting down: the hook closes the server.
      }
    }
    return ExitCodes.OK;
  }
}
