package io.mlobj.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One JVM of a test cluster, started as a separate process with its output in a log file. Closing
 * it SIGKILLs the process and everything it started (executors, task managers' children).
 */
final class JvmProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private JvmProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code java <jvmArgs> -cp <classPath> <mainClass> <args>} with the JVM flags this test
   * JVM runs with (the root pom's {@code --add-opens} list).
   */
  static JvmProcess start(
      String name,
      List<String> jvmArgs,
      String classPath,
      String mainClass,
      List<String> args,
      Map<String, String> env,
      Path workDir) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(openFlags());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    command.addAll(args);
    try {
      Path logs = Path.of(System.getProperty("mlobj.cluster.logs", "target/cluster-logs"));
      Files.createDirectories(logs);
      Path log = logs.resolve(name + ".log");
      Files.writeString(log, String.join(" ", command) + System.lineSeparator());
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().putAll(env);
      return new JvmProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + name, e);
    }
  }

  /** The {@code --add-opens} and related flags of this JVM, which the root pom sets. */
  static List<String> openFlags() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(
            a ->
                a.startsWith("--add-opens")
                    || a.startsWith("-Djdk.reflect")
                    || a.startsWith("-Dio.netty"))
        .collect(Collectors.toList());
  }

  static String classPath(Path... entries) {
    List<String> parts = new ArrayList<>();
    for (Path p : entries) {
      parts.add(p.toString());
    }
    return String.join(File.pathSeparator, parts);
  }

  /** Waits until the log contains {@code needle}; fails early when the process exits. */
  void awaitLog(String needle, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (logText().contains(needle)) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name
                + " exited ("
                + process.exitValue()
                + ") before logging '"
                + needle
                + "'; see "
                + log);
      }
      sleep(200);
    }
    throw new IllegalStateException(
        name + " did not log '" + needle + "' in " + timeout + "; see " + log);
  }

  /** Waits for the process to exit and returns its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(name + " still runs after " + timeout + "; see " + log);
    }
    return process.exitValue();
  }

  String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path log() {
    return log;
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
