package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.ops.Vacuum;
import io.mlobj.ops.VacuumReport;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mlobj vacuum URI}: dry run by default. */
@Command(
    name = "vacuum",
    description = {
      "Delete shards and manifests no retained version needs. A dry run unless --execute.",
      "Retained: the latest --retain-versions, versions newer than --retain-hours, tagged versions;"
          + " objects younger than --safety-window-hours are never deleted."
    })
final class VacuumCommand extends DatasetCommand {

  @Option(
      names = "--retain-versions",
      paramLabel = "N",
      description = "Keep the latest N versions (default 10).")
  int retainVersions = 10;

  @Option(
      names = "--retain-hours",
      paramLabel = "H",
      description = "Keep versions newer than H hours (default 168).")
  long retainHours = 168;

  @Option(
      names = "--safety-window-hours",
      paramLabel = "H",
      description = "Never delete objects younger than H hours (default 24): in-flight writers.")
  long safetyHours = 24;

  @Option(names = "--execute", description = "Really delete (default: only report).")
  boolean execute;

  @Override
  public Integer call() {
    Dataset dataset = openDataset();
    ProgressBar bar = opts.progressBar(execute ? "vacuum" : "vacuum (dry run)", "objects");
    VacuumReport report;
    try {
      report =
          Vacuum.builder(dataset)
              .retainVersions(retainVersions)
              .retainDuration(Duration.ofHours(retainHours))
              .safetyWindow(Duration.ofHours(safetyHours))
              .dryRun(!execute)
              .build()
              .run(bar);
    } finally {
      bar.finish();
    }
    Output out = opts.output();
    if (out.json()) {
      Map<String, Object> m =
          Output.object(
              "uri", report.dataset(),
              "dryRun", report.dryRun(),
              "retainedVersions", report.retainedVersions(),
              "deleted", report.deleted(),
              "deletedBytes", report.deletedBytes(),
              "keptYoung", report.keptYoung());
      out.json(m);
      return ExitCodes.OK;
    }
    for (String key : report.deleted()) {
      out.line((report.dryRun() ? "would delete " : "deleted ") + key);
    }
    out.line(
        (report.dryRun() ? "Dry run: would delete " : "Deleted ")
            + report.deleted().size()
            + " objects ("
            + Output.bytes(report.deletedBytes())
            + ") of "
            + report.dataset()
            + "; kept versions "
            + report.retainedVersions()
            + (report.keptYoung() > 0
                ? "; "
                    + report.keptYoung()
                    + " unreferenced objects kept (younger than the safety window)"
                : "")
            + (report.dryRun() ? ". Run with --execute to delete." : "."));
    return ExitCodes.OK;
  }
}
