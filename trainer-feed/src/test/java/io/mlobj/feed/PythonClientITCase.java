package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the Python client's pytest suite ({@code python/tests}: the real {@code mlobj_torch} client
 * against real feed servers started from this module's test classpath, and {@code
 * examples/python/train.py} end to end), so {@code mvn test} covers it. Skipped (an assumption)
 * when python3 with pyarrow, torch and pytest is not installed ({@code bin/test} installs them).
 */
class PythonClientITCase {
  static final String PYTHON = System.getenv().getOrDefault("MLOBJ_PYTHON", "python3");

  @Test
  void thePythonClientSuitePasses() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    assumeTrue(
        exitCode(root, List.of(PYTHON, "-c", "import pyarrow, torch, numpy, pytest"), null) == 0,
        PYTHON
            + " with pyarrow, torch, numpy and pytest is not installed: run bin/test or"
            + " pip install -r python/requirements-test.txt");
    Path log = Files.createTempFile("mlobj-feed-pytest-", ".log");
    int code =
        exitCode(
            root,
            List.of(PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "python/tests"),
            log);
    String output = Files.readString(log);
    assertThat(code).as("pytest output:%n%s", output).isZero();
    assertThat(output).contains("passed").doesNotContain("failed");
  }

  private static int exitCode(Path dir, List<String> command, Path log) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.redirectOutput(
        log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(log.toFile()));
    Process p;
    try {
      p = pb.start();
    } catch (java.io.IOException e) {
      return -1;
    }
    if (!p.waitFor(1200, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -2;
    }
    return p.exitValue();
  }
}
