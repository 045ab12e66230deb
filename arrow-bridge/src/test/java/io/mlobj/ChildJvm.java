package io.mlobj;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts a test main class in a separate JVM with this JVM's classpath and the flags Arrow needs,
 * for tests of several processes (concurrent committers, a writer that dies). Output goes to a file
 * so a full pipe never blocks the child.
 */
final class ChildJvm {
  private final Process process;
  private final Path output;

  private ChildJvm(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** Starts {@code main} with the arguments and the configuration as {@code key=value} args. */
  static ChildJvm start(Class<?> main, List<String> args, Map<String, String> conf)
      throws IOException {
    Path output = Files.createTempFile("mlobj-child-", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(args);
    conf.forEach((k, v) -> command.add(k + "=" + v));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .directory(new File(System.getProperty("user.dir")))
            .start();
    return new ChildJvm(process, output);
  }

  /** Waits for the exit (killing the child after the timeout) and returns the exit code. */
  int await(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
      throw new AssertionError(
          "Child JVM did not finish within " + timeoutSeconds + " s. Output:\n" + output());
    }
    return process.exitValue();
  }

  /** Everything the child printed. */
  String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "<cannot read " + output + ": " + e + ">";
    }
  }

  /** Parses trailing {@code key=value} arguments into a configuration. */
  static Map<String, String> confFrom(String[] args, int first) {
    Map<String, String> conf = new java.util.LinkedHashMap<>();
    for (int i = first; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      conf.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    return conf;
  }
}
