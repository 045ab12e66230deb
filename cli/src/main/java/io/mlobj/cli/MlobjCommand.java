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
}
