package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.HistoryEntry;
import io.mlobj.Snapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mlobj rollback URI VERSION [--dry-run]}. */
@Command(
    name = "rollback",
    description = {
      "Commit a new version that restores the data and schema of an earlier version.",
      "Also the way out when the latest version file is damaged: the rollback commits past it"
          + " (the damaged file stays in the log) and says so."
    })
final class RollbackCommand extends DatasetCommand {

  @Parameters(index = "1", paramLabel = "VERSION")
  long version;

  @Option(names = "--dry-run", description = "Say what the rollback would commit; commit nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    Dataset dataset = openDataset();
    Snapshot target = dataset.version(version);
    List<HistoryEntry> head = dataset.historyEntries(1);
    HistoryEntry damagedHead = head.isEmpty() || head.get(0).intact() ? null : head.get(0);
    long newVersion;
    long rows;
    if (dryRun) {
      newVersion = dataset.latestVersion() + 1;
      rows = target.rows();
    } else {
      Snapshot s = dataset.rollback(version);
      newVersion = s.version();
      rows = s.rows();
    }
    Output out = opts.output();
    if (out.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("uri", dataset.uri());
      json.put("restored", version);
      json.put("version", newVersion);
      json.put("rows", rows);
      json.put("dryRun", dryRun);
      json.put("pastDamagedVersion", damagedHead == null ? null : damagedHead.version());
      out.json(json);
      return ExitCodes.OK;
    }
    if (damagedHead != null) {
      out.line(
          "Version "
              + damagedHead.version()
              + " (the latest) is damaged: "
              + Main.oneLine(damagedHead.damageReason()));
      out.line(
          "The rollback commits past it; its file stays in the log and reading it still fails.");
    }
    out.line(
        (dryRun ? "Would roll " : "Rolled ")
            + dataset.uri()
            + " back to version "
            + version
            + " as new version "
            + newVersion
            + " ("
            + rows
            + " rows)"
            + (dryRun ? ". Nothing was committed (--dry-run)." : "."));
    return ExitCodes.OK;
  }
}
