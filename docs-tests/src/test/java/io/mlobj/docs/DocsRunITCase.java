package io.mlobj.docs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs every fenced code block of README.md and docs/*.md, in document order, against the embedded
 * S3 server: one dynamic test per block, named by file and line. A block that fails to compile,
 * throws, or whose command exits non-zero fails the build; so does a block no runner takes and no
 * marker skips. See {@link DocHarness} for the rules and {@link Marker} for the markers.
 */
class DocsRunITCase {
  @RegisterExtension static final DocsSession DOCS = new DocsSession();

  @TestFactory
  List<DynamicTest> everyBlockOfTheDocsRunsAsWritten() {
    Path root = Path.of(System.getProperty("mlobj.docs.root", "..")).toAbsolutePath().normalize();
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : DocBlocks.files(root)) {
      for (DocBlock block : DocBlocks.extract(root, file)) {
        tests.add(
            DynamicTest.dynamicTest(
                block.where(),
                () -> {
                  Optional<String> skipped = DOCS.harness().run(block);
                  Assumptions.assumeTrue(skipped.isEmpty(), () -> "skipped: " + skipped.get());
                }));
      }
    }
    return tests;
  }
}
