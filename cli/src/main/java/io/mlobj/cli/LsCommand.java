package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.MlobjException;
import io.mlobj.Snapshot;
import io.mlobj.store.ObjectInfo;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.ObjectStores;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mlobj ls URI}: the datasets at or under a location. */
@Command(
    name = "ls",
    description = {
      "List the datasets at or under a location, with their latest version, rows and size.",
      "Lists the objects under the prefix once (use a narrow prefix on large buckets).",
      "A dataset whose latest version file is damaged is listed as DAMAGED (the reason on"
          + " stderr) with the others, and the exit code is "
          + ExitCodes.DAMAGED
          + "."
    })
final class LsCommand implements Callable<Integer> {
  private static final String MARKER = "_mlobj/versions/";

  @Mixin CommonOptions opts;

  @Parameters(index = "0", paramLabel = "URI", description = "s3a://bucket/prefix or a path.")
  String uri;

  @Override
  public Integer call() {
    String root = ObjectStores.normalize(uri);
    TreeSet<String> datasets = new TreeSet<>();
    try (ObjectStore store = ObjectStores.open(root, opts.conf())) {
      for (ObjectInfo info : store.list("", null)) {
        int at = info.key().indexOf(MARKER);
        if (at >= 0) {
          String rel = info.key().substring(0, at);
          datasets.add(rel.isEmpty() ? root : root + "/" + rel.substring(0, rel.length() - 1));
        }
      }
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    List<String> damaged = new ArrayList<>();
    for (String ds : datasets) {
      Snapshot latest;
      try {
        latest = Dataset.at(ds, opts.conf()).latest();
      } catch (MlobjException e) {
        if (e.kind() != MlobjException.Kind.CORRUPT) {
          throw e;
        }
        // One damaged dataset must not hide the others: list it, say why below.
        damaged.add(e.getMessage());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("uri", ds);
        row.put("damaged", e.getMessage());
        rows.add(row);
        continue;
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("uri", ds);
      row.put("version", latest.version());
      row.put("rows", latest.rows());
      row.put("bytes", latest.bytes());
      row.put("shards", latest.summary().totalShards());
      row.put("updated", Output.time(latest.timestampMillis()));
      rows.add(row);
    }
    Output out = opts.output();
    if (out.json()) {
      out.json(rows);
    } else if (rows.isEmpty()) {
      out.line("No datasets under " + root + ".");
    } else {
      out.table(
          List.of("URI", "VERSION", "ROWS", "SIZE", "SHARDS", "UPDATED"),
          rows.stream()
              .map(
                  r ->
                      r.containsKey("damaged")
                          ? List.of(String.valueOf(r.get("uri")), "DAMAGED", "-", "-", "-", "-")
                          : List.of(
                              String.valueOf(r.get("uri")),
                              String.valueOf(r.get("version")),
                              String.valueOf(r.get("rows")),
                              Output.bytes((long) r.get("bytes")),
                              String.valueOf(r.get("shards")),
                              String.valueOf(r.get("updated"))))
              .toList());
    }
    for (String message : damaged) {
      opts.err().println("mlobj: " + Main.oneLine(message));
    }
    return damaged.isEmpty() ? ExitCodes.OK : ExitCodes.DAMAGED;
  }
}
