package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.Shard;
import io.mlobj.Snapshot;
import io.mlobj.ops.Importer;
import io.mlobj.ops.Importer.ImportPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mlobj import URI FILES|PREFIX...}: adopts Parquet or Arrow IPC files that already sit
 * under the dataset's root (written by pyarrow, Spark...) as one new version, over the kernel's
 * {@link Importer}; files are read once, never rewritten or copied.
 */
@Command(
    name = "import",
    description = {
      "Adopt Parquet / Arrow IPC files under a dataset's root as one new version (no copy).",
      "Creates the dataset if it does not exist; appends to it otherwise."
    })
final class ImportCommand extends DatasetCommand {

  @Parameters(
      index = "1..*",
      arity = "1..*",
      paramLabel = "FILE|PREFIX",
      description =
          "Files or prefixes under the dataset root, relative (incoming/part-0.parquet,"
              + " incoming/) or as full URIs; a prefix imports every .parquet/.arrow/.feather/.ipc"
              + " file under it.")
  List<String> sources;

  @Option(
      names = {"-n", "--dry-run"},
      description = "Read and check every file, print what would be imported, commit nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    Dataset dataset = Dataset.at(uri, opts.conf());
    List<String> keys = keys(dataset);
    ProgressBar bar = opts.progressBar("import", "files");
    ImportPlan plan;
    try {
      plan = Importer.plan(dataset, keys, bar);
    } finally {
      bar.finish();
    }
    Snapshot committed = dryRun ? null : Importer.commit(dataset, plan);
    long version = committed != null ? committed.version() : plan.baseVersion() + 1;
    print(dataset, plan, version);
    return ExitCodes.OK;
  }

  private void print(Dataset dataset, ImportPlan plan, long version) {
    Output out = opts.output();
    List<Map<String, Object>> files = new ArrayList<>();
    for (Shard s : plan.shards()) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("path", s.path());
      f.put("format", s.format().id());
      f.put("rows", s.rows());
      f.put("bytes", s.bytes());
      files.add(f);
    }
    boolean created = plan.baseVersion() == 0;
    if (out.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("uri", dataset.uri());
      json.put("dryRun", dryRun);
      json.put("version", version);
      json.put("createsDataset", created);
      json.put("rows", plan.rows());
      json.put("bytes", plan.bytes());
      json.put("files", files);
      out.json(json);
      return;
    }
    out.table(
        List.of("FILE", "FORMAT", "ROWS", "BYTES"),
        files.stream()
            .map(
                f ->
                    List.of(
                        (String) f.get("path"),
                        (String) f.get("format"),
                        String.valueOf(f.get("rows")),
                        Output.bytes((Long) f.get("bytes"))))
            .toList());
    out.line(
        (dryRun ? "Would import " : "Imported ")
            + plan.shards().size()
            + (plan.shards().size() == 1 ? " file (" : " files (")
            + plan.rows()
            + " rows, "
            + Output.bytes(plan.bytes())
            + ") into "
            + dataset.uri()
            + " as version "
            + version
            + (created ? ", creating the dataset" : "")
            + (dryRun ? ". Nothing was committed (dry run)." : "."));
  }

  /** The object keys to import: files as given, prefixes expanded to their importable files. */
  private List<String> keys(Dataset dataset) {
    Set<String> keys = new LinkedHashSet<>();
    for (String source : sources) {
      String key = relative(dataset, source);
      if (Importer.importable(key)) {
        keys.add(key);
        continue;
      }
      String prefix = key.isEmpty() || key.endsWith("/") ? key : key + "/";
      List<String> found = Importer.findFiles(dataset, prefix);
      if (found.isEmpty()) {
        throw new CliException(
            ExitCodes.NOT_FOUND,
            "Cannot import files under "
                + dataset.objectUri(prefix)
                + ": there is no .parquet, .arrow, .feather or .ipc file under that prefix."
                + " Check the path, relative to the dataset root "
                + dataset.uri()
                + ".");
      }
      keys.addAll(found);
    }
    return List.copyOf(keys);
  }

  private String relative(Dataset dataset, String source) {
    if (!source.contains("://")) {
      return source.startsWith("/") ? source.substring(1) : source;
    }
    String root = dataset.uri().endsWith("/") ? dataset.uri() : dataset.uri() + "/";
    if (!source.startsWith(root)) {
      throw new CliException(
          ExitCodes.USAGE,
          "Cannot import "
              + source
              + " into dataset "
              + dataset.uri()
              + ": it is not under the dataset root. Files are adopted in place, not copied:"
              + " copy them under "
              + root
              + " (e.g. "
              + root
              + "incoming/) and import them from there.");
    }
    return source.substring(root.length());
  }
}
