package io.mlobj.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's documentation run, as a JUnit extension: before the class, a {@link DocEnv} (the
 * embedded S3 server and the example data) and a {@link DocHarness} over it in a temporary
 * directory; after it, the shared Spark session and Flink cluster the blocks started, the env and
 * the directory, in that order. Register it as a static field with {@code @RegisterExtension}.
 */
final class DocsSession implements BeforeAllCallback, AfterAllCallback {
  private Path dir;
  private DocEnv env;
  private DocHarness harness;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("mlobj-docs-");
    env = new DocEnv(dir);
    harness = new DocHarness(env, dir.resolve("classes"));
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      SparkContext.stop();
      FlinkCluster.stop();
      if (env != null) {
        env.close();
      }
    } finally {
      deleteRecursively(dir);
    }
  }

  /** The documentation environment: the embedded S3 server and its configuration. */
  DocEnv env() {
    return env;
  }

  /** The harness that runs blocks against {@link #env()}. */
  DocHarness harness() {
    return harness;
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
