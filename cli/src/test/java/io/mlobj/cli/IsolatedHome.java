package io.mlobj.cli;

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
 * Points {@code mlobj.home} at a fresh temporary directory for a test class, so the CLI under test
 * never reads or writes the user's {@code ~/.mlobj}; after the class the directory is deleted and
 * the property set back to what it was. Register it on a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final IsolatedHome HOME = new IsolatedHome();
 * ... Files.writeString(HOME.path().resolve("local.properties"), props) ...
 * }</pre>
 */
final class IsolatedHome implements BeforeAllCallback, AfterAllCallback {
  private Path home;
  private String previous;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    previous = System.getProperty("mlobj.home");
    home = Files.createTempDirectory("mlobj-home-");
    System.setProperty("mlobj.home", home.toString());
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (previous == null) {
      System.clearProperty("mlobj.home");
    } else {
      System.setProperty("mlobj.home", previous);
    }
    try (Stream<Path> files = Files.walk(home)) {
      files
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
    home = null;
  }

  /** The directory {@code mlobj.home} points at. */
  Path path() {
    return home;
  }
}
