package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.HistoryEntry;
import io.mlobj.Snapshot;
import io.mlobj.ops.Verifier;
import io.mlobj.ops.VerifyReport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mlobj verify URI}: every shard present with the right size and CRC32C. */
@Command(
    name = "verify",
    description = {
      "Check that every shard of a version is present and has its recorded size and CRC32C.",
      "Exits with " + ExitCodes.DAMAGED + " and one line per damaged shard if any is not.",
      "--all-versions reports a damaged version file as DAMAGED and verifies the other versions."
    })
final class VerifyCommand extends DatasetCommand {
  @Mixin DatasetRef ref;

  @Option(names = "--all-versions", description = "Verify every version, not just one.")
  boolean allVersions;

  @Option(names = "--decode", description = "Also decode every batch (slower).")
  boolean decode;

  @Option(names = "--parallelism", paramLabel = "N", description = "Parallel reads (default 4).")
  int parallelism = 4;

  @Override
  public Integer call() {
    Dataset dataset = openDataset();
    List<Snapshot> versions = new ArrayList<>();
    // --all-versions: a damaged version file is reported as such and the others are still verified.
    List<HistoryEntry> damagedVersions = new ArrayList<>();
    if (allVersions) {
      List<HistoryEntry> entries = new ArrayList<>(dataset.historyEntries(Integer.MAX_VALUE));
      Collections.reverse(entries);
      for (HistoryEntry entry : entries) {
        if (entry.intact()) {
          versions.add(entry.snapshot());
        } else {
          damagedVersions.add(entry);
        }
      }
    } else {
      versions.add(ref.resolve(dataset, opts.err()));
    }
    List<VerifyReport> reports = new ArrayList<>();
    for (Snapshot s : versions) {
      ProgressBar bar = opts.progressBar("verify v" + s.version(), "shards");
      try {
        reports.add(Verifier.verify(s, parallelism, decode, bar));
      } finally {
        bar.finish();
      }
    }
    long problems = reports.stream().mapToLong(r -> r.problems().size()).sum();
    Output out = opts.output();
    if (out.json()) {
      List<Map<String, Object>> json = new ArrayList<>();
      for (VerifyReport r : reports) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uri", r.dataset());
        m.put("version", r.version());
        m.put("ok", r.ok());
        m.put("shardsChecked", r.shardsChecked());
        m.put("bytesChecked", r.bytesChecked());
        m.put("problems", r.problems());
        json.add(m);
      }
      for (HistoryEntry d : damagedVersions) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("uri", dataset.uri());
        m.put("version", d.version());
        m.put("ok", false);
        m.put("damaged", d.damageReason());
        json.add(m);
      }
      json.sort(Comparator.comparingLong(m -> ((Number) m.get("version")).longValue()));
      out.json(allVersions ? json : json.get(0));
    } else {
      // One line per version, oldest first, damaged version files among them.
      Map<Long, Runnable> lines = new TreeMap<>();
      for (VerifyReport r : reports) {
        lines.put(r.version(), () -> printReport(out, r));
      }
      for (HistoryEntry d : damagedVersions) {
        lines.put(d.version(), () -> printDamaged(out, dataset, d));
      }
      lines.values().forEach(Runnable::run);
      opts.err().flush();
    }
    if (problems > 0) {
      if (!out.json()) {
        opts.err()
            .println(
                "mlobj: Cannot verify dataset "
                    + dataset.uri()
                    + ": "
                    + problems
                    + " shard(s) damaged or missing. Restore them from a backup or run 'mlobj rollback "
                    + dataset.uri()
                    + " <version>' to a version without them.");
        opts.err().flush();
      }
    }
    return problems > 0 || !damagedVersions.isEmpty() ? ExitCodes.DAMAGED : ExitCodes.OK;
  }

  private void printReport(Output out, VerifyReport r) {
    for (VerifyReport.Problem p : r.problems()) {
      opts.err().println("mlobj: " + p.kind() + " " + Main.oneLine(p.message()));
    }
    out.line(
        (r.ok() ? "OK      " : "DAMAGED ")
            + r.dataset()
            + " version "
            + r.version()
            + ": "
            + r.shardsChecked()
            + " shards, "
            + Output.bytes(r.bytesChecked())
            + " verified"
            + (r.ok() ? "" : ", " + r.problems().size() + " damaged or missing"));
  }

  private void printDamaged(Output out, Dataset dataset, HistoryEntry d) {
    opts.err().println("mlobj: " + Main.oneLine(d.damage().getMessage()));
    out.line(
        "DAMAGED "
            + dataset.uri()
            + " version "
            + d.version()
            + ": the version file cannot be read ("
            + d.damageReason()
            + "), so its shards were not verified");
  }
}
