package io.mlobj.cli;

import io.mlobj.MlobjException;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Entry point of the {@code mlobj} command. Errors print one line, {@code mlobj: <message>}, and
 * exit with a code from {@link ExitCodes}; {@code --verbose} adds the stack trace.
 *
 * <pre>{@code
 * int code = Main.run(new String[] {"info", "s3a://b/ds", "--json"}, out, err); // in-process
 * }</pre>
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    System.exit(code);
  }

  /** Runs one command in this JVM with the given writers and returns its exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine(args);
    cli.setOut(out);
    cli.setErr(err);
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** The configured command line with every subcommand (for tests and embedding). */
  public static CommandLine commandLine() {
    return configure(new CommandLine(new MlobjCommand()));
  }

  /**
   * The command line for these arguments: when they name a subcommand, a root holding only that
   * one. Start-up: picocli inspects every command class it is given (reflection over each option of
   * about 40 commands), which a one-second command should not pay for.
   */
  static CommandLine commandLine(String[] args) {
    Class<?> only = args.length == 0 ? null : MlobjCommand.subcommand(args[0]);
    if (only == null) {
      return commandLine();
    }
    CommandLine cli = new CommandLine(new MlobjCommand.Root());
    cli.addSubcommand(new CommandLine(only));
    return configure(cli);
  }

  private static CommandLine configure(CommandLine cli) {
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(new ErrorHandler());
    cli.setExecutionStrategy(new CommandTimeout());
    cli.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println("mlobj: " + ex.getMessage());
          err.println(
              "Run 'mlobj "
                  + ex.getCommandLine()
                      .getCommandSpec()
                      .qualifiedName(" ")
                      .replaceFirst("^mlobj ?", "")
                  + " --help' for usage.");
          err.flush();
          return ExitCodes.USAGE;
        });
    return cli;
  }

  /** One line per error; the stack trace only with --verbose. */
  static final class ErrorHandler implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, ParseResult parsed) {
      PrintWriter err = cli.getErr();
      boolean verbose = parsed != null && verbose(parsed);
      int code;
      String message;
      if (ex instanceof CliException c) {
        code = c.exitCode();
        message = c.getMessage();
      } else if (ex instanceof MlobjException m) {
        code = ExitCodes.of(m.kind());
        message = m.getMessage();
      } else if (ex instanceof java.io.UncheckedIOException || ex instanceof java.io.IOException) {
        code = ExitCodes.STORAGE;
        message = String.valueOf(ex.getMessage());
      } else if (ex instanceof IllegalArgumentException) {
        code = ExitCodes.USAGE;
        message = String.valueOf(ex.getMessage());
      } else {
        code = ExitCodes.INTERNAL;
        message =
            "Internal error: " + ex + ". Run again with --verbose and report the stack trace.";
      }
      if (message != null && message.contains("Unable to load credentials")) {
        // The SDK lists every provider it tried; say what to set instead.
        code = ExitCodes.PERMISSION_DENIED;
        message =
            message.substring(0, message.indexOf(": ") + 2)
                + "no S3 credentials found. Set fs.s3a.access.key and fs.s3a.secret.key (--conf,"
                + " ~/.mlobj/config.properties or --profile), or AWS_ACCESS_KEY_ID and"
                + " AWS_SECRET_ACCESS_KEY.";
      }
      err.println("mlobj: " + oneLine(message));
      if (verbose) {
        StringWriter trace = new StringWriter();
        ex.printStackTrace(new PrintWriter(trace));
        err.print(trace);
      }
      err.flush();
      return code;
    }

    private static boolean verbose(ParseResult parsed) {
      ParseResult p = parsed;
      while (p != null) {
        if (p.hasMatchedOption("--verbose")) {
          return true;
        }
        p = p.subcommand();
      }
      return false;
    }
  }

  static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").trim();
  }
}
