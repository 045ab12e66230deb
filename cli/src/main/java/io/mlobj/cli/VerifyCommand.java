package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.Snapshot;
import io.mlobj.ops.Verifier;
import io.mlobj.ops.VerifyReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mlobj verify URI}: every shard present with the right size and CRC32C. */
@Command(
    name = "verify",
    description = {
      "Check that every shard of a version is present and has its recorded size and CRC32C.",
      "Exits with " + ExitCodes.DAMAGED + " and one line per damaged shard if any is not."
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
    if (allVersions) {
      for (long v = 1; v <= dataset.latestVersion(); v++) {
        versions.add(dataset.version(v));
      }
    } else {
      versions.add(ref.resolve(dataset));
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
      out.json(allVersions ? json : json.get(0));
    } else {
      for (VerifyReport r : reports) {
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
      return ExitCodes.DAMAGED;
    }
    return ExitCodes.OK;
  }
}
