package io.mlobj.cli;

import io.mlobj.Durations;
import io.mlobj.MlobjException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.ParseResult;

/**
 * Runs a command under its {@code --timeout}: the command runs on a daemon thread and, if it has
 * not finished in time, is interrupted and the command exits {@link ExitCodes#STORAGE} with a
 * message naming the option. Without {@code --timeout} the command runs on the calling thread.
 */
final class CommandTimeout implements IExecutionStrategy {
  private final IExecutionStrategy delegate = new CommandLine.RunLast();

  @Override
  public int execute(ParseResult parsed) {
    String value = timeoutOption(parsed);
    if (value == null) {
      return delegate.execute(parsed);
    }
    CommandLine last = last(parsed).commandSpec().commandLine();
    Duration limit;
    try {
      limit = Durations.parse("--timeout", value, TimeUnit.SECONDS);
    } catch (MlobjException e) {
      return fail(last.getErr(), ExitCodes.USAGE, e.getMessage());
    }
    FutureTask<Integer> task = new FutureTask<>(() -> delegate.execute(parsed));
    Thread thread = new Thread(task, "mlobj-command");
    thread.setDaemon(true);
    thread.start();
    try {
      return task.get(limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      task.cancel(true);
      return fail(
          last.getErr(),
          ExitCodes.STORAGE,
          "Cannot finish 'mlobj "
              + last.getCommandSpec().qualifiedName(" ").replaceFirst("^mlobj ?", "")
              + "' within --timeout "
              + Durations.format(limit)
              + ": the storage did not answer in time. Check that the server at fs.s3a.endpoint"
              + " is reachable and healthy, or raise --timeout.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      task.cancel(true);
      return fail(last.getErr(), ExitCodes.INTERNAL, "Interrupted.");
    } catch (ExecutionException e) {
      // RunLast wraps a command's failure in picocli's ExecutionException: rethrow it as is, so
      // CommandLine.execute hands it to the execution exception handler, as without --timeout.
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private static int fail(PrintWriter err, int code, String message) {
    err.println("mlobj: " + message);
    err.flush();
    return code;
  }

  private static String timeoutOption(ParseResult parsed) {
    String value = null;
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--timeout")) {
        value = p.matchedOptionValue("--timeout", (String) null);
      }
    }
    return value;
  }

  private static ParseResult last(ParseResult parsed) {
    ParseResult p = parsed;
    while (p.subcommand() != null) {
      p = p.subcommand();
    }
    return p;
  }
}
