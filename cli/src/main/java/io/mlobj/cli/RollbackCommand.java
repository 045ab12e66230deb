package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.Snapshot;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mlobj rollback URI VERSION}. */
@Command(
    name = "rollback",
    description = "Commit a new version that restores the data and schema of an earlier version.")
final class RollbackCommand implements Callable<Integer> {
  @Mixin CommonOptions opts;

  @Parameters(index = "0", paramLabel = "URI")
  String uri;

  @Parameters(index = "1", paramLabel = "VERSION")
  long version;

  @Override
  public Integer call() {
    Dataset dataset = DatasetRef.open(uri, opts.conf());
    Snapshot s = dataset.rollback(version);
    Output out = opts.output();
    if (out.json()) {
      out.json(
          Map.of(
              "uri", dataset.uri(), "restored", version, "version", s.version(), "rows", s.rows()));
    } else {
      out.line(
          "Rolled "
              + dataset.uri()
              + " back to version "
              + version
              + " as new version "
              + s.version()
              + " ("
              + s.rows()
              + " rows).");
    }
    return ExitCodes.OK;
  }
}
