package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.Shard;
import io.mlobj.Snapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mlobj diff URI A B}: shards and rows added and removed between two versions. */
@Command(
    name = "diff",
    description = "Show the shards and rows added and removed from version A to version B.")
final class DiffCommand extends DatasetCommand {

  @Parameters(index = "1", paramLabel = "A", description = "The old version: a number or a tag.")
  String from;

  @Parameters(index = "2", paramLabel = "B", description = "The new version: a number or a tag.")
  String to;

  @Override
  public Integer call() {
    Dataset dataset = openDataset();
    Snapshot a = resolve(dataset, from);
    Snapshot b = resolve(dataset, to);
    Map<String, Shard> before = byPath(a.shards());
    Map<String, Shard> after = byPath(b.shards());
    List<Shard> added = after.values().stream().filter(s -> !before.containsKey(s.path())).toList();
    List<Shard> removed =
        before.values().stream().filter(s -> !after.containsKey(s.path())).toList();
    Map<String, Object> diff =
        Output.object(
            "uri",
            dataset.uri(),
            "from",
            a.version(),
            "to",
            b.version(),
            "shardsAdded",
            added.size(),
            "shardsRemoved",
            removed.size(),
            "rowsAdded",
            added.stream().mapToLong(Shard::rows).sum(),
            "rowsRemoved",
            removed.stream().mapToLong(Shard::rows).sum(),
            "bytesAdded",
            added.stream().mapToLong(Shard::bytes).sum(),
            "bytesRemoved",
            removed.stream().mapToLong(Shard::bytes).sum(),
            "added",
            added.stream()
                .map(s -> Map.of("path", s.path(), "rows", s.rows(), "bytes", s.bytes()))
                .toList(),
            "removed",
            removed.stream()
                .map(s -> Map.of("path", s.path(), "rows", s.rows(), "bytes", s.bytes()))
                .toList(),
            "schemaChanged",
            !a.schema().equals(b.schema()));
    Output out = opts.output();
    if (out.json()) {
      out.json(diff);
      return ExitCodes.OK;
    }
    out.line(
        String.format(
            "%s: v%d -> v%d: +%d shards (+%d rows, %s), -%d shards (-%d rows, %s)%s",
            dataset.uri(),
            a.version(),
            b.version(),
            added.size(),
            (long) diff.get("rowsAdded"),
            Output.bytes((long) diff.get("bytesAdded")),
            removed.size(),
            (long) diff.get("rowsRemoved"),
            Output.bytes((long) diff.get("bytesRemoved")),
            (boolean) diff.get("schemaChanged") ? ", schema changed" : ""));
    for (Shard s : added) {
      out.line("+ " + s.path() + "  " + s.rows() + " rows");
    }
    for (Shard s : removed) {
      out.line("- " + s.path() + "  " + s.rows() + " rows");
    }
    return ExitCodes.OK;
  }

  private static Snapshot resolve(Dataset dataset, String version) {
    if (version.matches("v?\\d+")) {
      return dataset.version(Long.parseLong(version.replace("v", "")));
    }
    return dataset.tagged(version);
  }

  private static Map<String, Shard> byPath(List<Shard> shards) {
    return shards.stream()
        .collect(Collectors.toMap(Shard::path, s -> s, (x, y) -> x, LinkedHashMap::new));
  }
}
