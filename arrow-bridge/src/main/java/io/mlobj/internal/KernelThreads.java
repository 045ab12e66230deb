package io.mlobj.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Daemon threads for the kernel's pools, named {@code prefix + n}.
 *
 * <p>Their context class loader is the kernel's own, never that of the thread that happened to
 * start them. A pool such as the one a shared S3 client reads ranges with outlives the job that
 * first used it; in Flink that job's user-code class loader is closed when the job ends, and a
 * later job's request on a thread still holding it failed with "Trying to access closed
 * classloader" the first time the AWS SDK parsed an error answer on that thread (it finds its XML
 * parser through the context class loader).
 */
public final class KernelThreads implements ThreadFactory {
  private static final ClassLoader KERNEL_LOADER = KernelThreads.class.getClassLoader();

  private final String prefix;
  private final AtomicInteger started = new AtomicInteger();

  private KernelThreads(String prefix) {
    this.prefix = prefix;
  }

  /** A factory of daemon threads named {@code prefix} followed by a count. */
  public static ThreadFactory named(String prefix) {
    return new KernelThreads(prefix);
  }

  @Override
  public Thread newThread(Runnable task) {
    Thread thread = new Thread(task, prefix + started.incrementAndGet());
    thread.setDaemon(true);
    thread.setContextClassLoader(KERNEL_LOADER);
    return thread;
  }
}
