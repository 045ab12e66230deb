package io.mlobj.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level {@code mlobj} command: lists the subcommands. */
@Command(
    name = "mlobj",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Versioned, sharded ML datasets and model checkpoints on S3-compatible storage.",
    footer = {
      "",
      "Storage settings: --conf fs.s3a.endpoint=... (repeatable), ~/.mlobj/config.properties,"
          + " --profile NAME. Exit codes: see docs/cli.md."
    },
    subcommands = {
      S3Command.class,
      LsCommand.class,
      InfoCommand.class,
      SchemaCommand.class,
      ShowCommand.class,
      ImportCommand.class,
      HistoryCommand.class,
      DiffCommand.class,
      TagCommand.class,
      RollbackCommand.class,
      MetaCommand.class,
      VerifyCommand.class,
      VacuumCommand.class,
      ServeCommand.class,
      CheckpointCommand.class,
      QueryCommand.class,
      LineageCommand.class,
      ConfigCommand.class,
      QuickstartCommand.class,
      picocli.CommandLine.HelpCommand.class
    })
public final class MlobjCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * The subcommand class named {@code name} (or one of its aliases), or null; {@code help}, which
   * needs every subcommand, is null too.
   */
  static Class<?> subcommand(String name) {
    if (name.startsWith("-") || name.equals("help")) {
      return null;
    }
    for (Class<?> c : MlobjCommand.class.getAnnotation(Command.class).subcommands()) {
      Command command = c.getAnnotation(Command.class);
      if (command.name().equals(name)
          || java.util.Arrays.asList(command.aliases()).contains(name)) {
        return c;
      }
    }
    return null;
  }

  /** The top-level command without its subcommands, for {@link Main} to add the one it runs. */
  @Command(name = "mlobj", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class)
  static final class Root implements Runnable {
    @Override
    public void run() {}
  }
}
