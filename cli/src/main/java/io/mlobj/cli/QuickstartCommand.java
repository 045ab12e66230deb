package io.mlobj.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code mlobj quickstart}: runs {@code io.mlobj.examples.Quickstart} (the examples module) when it
 * is on the class path. The CLI jar does not bundle Spark and Flink, so {@code bin/mlobj
 * quickstart} hands over to {@code bin/quickstart}, which runs with the examples' class path.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Run the end-to-end quickstart: embedded S3, a synthetic image dataset, Spark preprocessing,",
      "Flink streaming appends, a tag, training through the trainer feed, a checkpoint with lineage",
      "and a query. Needs the examples module (bin/quickstart or bin/mlobj quickstart)."
    })
final class QuickstartCommand implements Callable<Integer> {
  static final String CLASS = "io.mlobj.examples.Quickstart";

  @Parameters(arity = "0..*", paramLabel = "ARG", description = "Passed to the quickstart.")
  List<String> args = new ArrayList<>();

  @Unmatched List<String> unmatched = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Class<?> type;
    try {
      type = Class.forName(CLASS, true, Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException e) {
      throw new CliException(
          ExitCodes.UNAVAILABLE,
          "Cannot run the quickstart: "
              + CLASS
              + " is not on the class path (the mlobj jar does not bundle Spark and Flink). Run"
              + " bin/quickstart, or bin/mlobj quickstart from the repository root.");
    }
    List<String> all = new ArrayList<>(args);
    all.addAll(unmatched);
    String[] argv = all.toArray(String[]::new);
    try {
      try {
        Method run = type.getMethod("run", String[].class);
        Object result = run.invoke(null, (Object) argv);
        return result instanceof Integer code ? code : ExitCodes.OK;
      } catch (NoSuchMethodException e) {
        type.getMethod("main", String[].class).invoke(null, (Object) argv);
        return ExitCodes.OK;
      }
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}
