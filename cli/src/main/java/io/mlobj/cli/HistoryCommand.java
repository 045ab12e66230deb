package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.HistoryEntry;
import io.mlobj.Snapshot;
import io.mlobj.VersionSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mlobj history URI}: versions, newest first. */
@Command(
    name = "history",
    description = {
      "List a dataset's versions, newest first: what each did, who and which engine.",
      "A damaged version file is listed as DAMAGED (the reason on stderr) with the others, and"
          + " the exit code is "
          + ExitCodes.DAMAGED
          + "."
    })
final class HistoryCommand extends DatasetCommand {

  @Option(names = "--limit", paramLabel = "N", description = "At most N versions (default 50).")
  int limit = 50;

  @Override
  public Integer call() {
    Dataset dataset = openDataset();
    List<Map<String, Object>> rows = new ArrayList<>();
    List<HistoryEntry> damaged = new ArrayList<>();
    for (HistoryEntry entry : dataset.historyEntries(limit)) {
      if (!entry.intact()) {
        damaged.add(entry);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("version", entry.version());
        row.put("damaged", entry.damageReason());
        rows.add(row);
        continue;
      }
      Snapshot s = entry.snapshot();
      VersionSummary v = s.summary();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("version", s.version());
      row.put("committed", Output.time(v.timestampMillis()));
      row.put("operation", v.operation().id());
      row.put("engine", v.engine());
      row.put("appId", v.appId());
      row.put("user", v.user());
      row.put("rowsAdded", v.rowsAdded());
      row.put("rowsRemoved", v.rowsRemoved());
      row.put("shardsAdded", v.shardsAdded());
      row.put("shardsRemoved", v.shardsRemoved());
      row.put("totalRows", v.totalRows());
      row.put("totalBytes", v.totalBytes());
      row.put("summary", v.properties());
      rows.add(row);
    }
    Output out = opts.output();
    if (out.json()) {
      out.json(rows);
      return reportDamaged(damaged);
    }
    out.table(
        List.of(
            "VERSION",
            "COMMITTED",
            "OPERATION",
            "ENGINE",
            "ROWS +/-",
            "SHARDS +/-",
            "TOTAL ROWS",
            "SIZE",
            "SUMMARY"),
        rows.stream()
            .map(
                r ->
                    r.containsKey("damaged")
                        ? damagedRow(r)
                        : List.of(
                            String.valueOf(r.get("version")),
                            String.valueOf(r.get("committed")),
                            String.valueOf(r.get("operation")),
                            String.valueOf(r.get("engine")),
                            "+" + r.get("rowsAdded") + "/-" + r.get("rowsRemoved"),
                            "+" + r.get("shardsAdded") + "/-" + r.get("shardsRemoved"),
                            String.valueOf(r.get("totalRows")),
                            Output.bytes((long) r.get("totalBytes")),
                            String.valueOf(r.get("summary"))))
            .toList());
    return reportDamaged(damaged);
  }

  private static List<String> damagedRow(Map<String, Object> r) {
    return List.of(
        String.valueOf(r.get("version")),
        "-",
        "DAMAGED",
        "-",
        "-",
        "-",
        "-",
        "-",
        String.valueOf(r.get("damaged")));
  }

  /** One line per damaged version on stderr; exit 6 so scripts notice, after listing the rest. */
  private int reportDamaged(List<HistoryEntry> damaged) {
    for (HistoryEntry entry : damaged) {
      opts.err().println("mlobj: " + Main.oneLine(entry.damage().getMessage()));
    }
    return damaged.isEmpty() ? ExitCodes.OK : ExitCodes.DAMAGED;
  }
}
