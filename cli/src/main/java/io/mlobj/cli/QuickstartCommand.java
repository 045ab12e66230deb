package io.mlobj.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code mlobj quickstart}: says how to run the quickstart. The quickstart lives in the examples
 * module ({@code io.mlobj.examples.Quickstart}), which depends on this CLI, Spark and Flink; the
 * CLI jar bundles neither engine, so {@code bin/mlobj quickstart} hands over to {@code
 * bin/quickstart}, which runs the examples module with its own class path.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Run the end-to-end quickstart: embedded S3, a synthetic image dataset, Spark preprocessing,",
      "Flink streaming appends, a tag, training through the trainer feed, a checkpoint with lineage",
      "and a query. Runs from the examples module: bin/quickstart or bin/mlobj quickstart."
    })
final class QuickstartCommand implements Callable<Integer> {
  @Parameters(arity = "0..*", paramLabel = "ARG", description = "Passed to the quickstart.")
  List<String> args = new ArrayList<>();

  @Unmatched List<String> unmatched = new ArrayList<>();

  @Override
  public Integer call() {
    throw new CliException(
        ExitCodes.UNAVAILABLE,
        "Cannot run the quickstart from the mlobj jar: it needs Spark and Flink, which the jar does"
            + " not bundle. Run bin/quickstart (or bin/mlobj quickstart) from the repository root.");
  }
}
