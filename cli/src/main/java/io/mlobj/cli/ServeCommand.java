package io.mlobj.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code mlobj serve}: the trainer feed (Arrow Flight) for a dataset. */
@Command(
    name = "serve",
    description = "Serve datasets to trainers over Arrow Flight (the trainer feed).")
final class ServeCommand implements Callable<Integer> {
  @Mixin CommonOptions opts;

  @Override
  public Integer call() {
    throw new CliException(
        ExitCodes.UNAVAILABLE,
        "Cannot start the trainer feed: this build has no feed server yet. Use the trainer-feed"
            + " module's server directly.");
  }
}
