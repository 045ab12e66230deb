package io.mlobj.cli;

import io.mlobj.Dataset;
import io.mlobj.Snapshot;
import io.mlobj.Tag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code mlobj info URI}: schema, size, versions, properties and tags. */
@Command(
    name = "info",
    description = "Show a dataset's schema, size, versions, properties and tags.")
final class InfoCommand extends DatasetCommand {
  @Mixin DatasetRef ref;

  @Override
  public Integer call() {
    Dataset dataset = openDataset();
    Snapshot snapshot = ref.resolve(dataset, opts.err());
    long latest = dataset.latestVersion();
    List<Map<String, Object>> columns = new ArrayList<>();
    for (Field field : snapshot.schema().getFields()) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("name", field.getName());
      c.put("type", Cells.typeName(field));
      c.put("nullable", field.isNullable());
      columns.add(c);
    }
    List<Map<String, Object>> tags = new ArrayList<>();
    for (Tag tag : dataset.tags()) {
      tags.add(Map.of("name", tag.name(), "version", tag.version()));
    }
    List<String> missingManifests = snapshot.missingManifests();
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("uri", dataset.uri());
    info.put("version", snapshot.version());
    info.put("latestVersion", latest);
    info.put("committed", Output.time(snapshot.timestampMillis()));
    info.put("rows", snapshot.rows());
    info.put("bytes", snapshot.bytes());
    info.put("shards", snapshot.summary().totalShards());
    info.put("partitionColumns", snapshot.partitionColumns());
    info.put("schema", columns);
    info.put("properties", snapshot.properties());
    info.put("tags", tags);
    if (!missingManifests.isEmpty()) {
      info.put("missingManifests", missingManifests);
    }
    Output out = opts.output();
    if (out.json()) {
      out.json(info);
      return reportMissing(dataset, snapshot, missingManifests);
    }
    out.line("Dataset     " + dataset.uri());
    out.line(
        "Version     "
            + snapshot.version()
            + " of "
            + latest
            + ", committed "
            + info.get("committed"));
    out.line(
        "Size        "
            + snapshot.rows()
            + " rows, "
            + Output.bytes(snapshot.bytes())
            + " in "
            + snapshot.summary().totalShards()
            + " shards");
    if (!snapshot.partitionColumns().isEmpty()) {
      out.line("Partitions  " + String.join(", ", snapshot.partitionColumns()));
    }
    out.line("");
    out.table(
        List.of("COLUMN", "TYPE", "NULLABLE"),
        columns.stream()
            .map(
                c ->
                    List.of(
                        (String) c.get("name"),
                        (String) c.get("type"),
                        String.valueOf(c.get("nullable"))))
            .toList());
    if (!snapshot.properties().isEmpty()) {
      out.line("");
      out.table(
          List.of("PROPERTY", "VALUE"),
          snapshot.properties().entrySet().stream()
              .map(e -> List.of(e.getKey(), e.getValue()))
              .toList());
    }
    if (!tags.isEmpty()) {
      out.line("");
      out.table(
          List.of("TAG", "VERSION"),
          tags.stream()
              .map(t -> List.of((String) t.get("name"), String.valueOf(t.get("version"))))
              .toList());
    }
    return reportMissing(dataset, snapshot, missingManifests);
  }

  private int reportMissing(Dataset dataset, Snapshot snapshot, List<String> missing) {
    for (String manifest : missing) {
      opts.err()
          .println(
              "mlobj: Cannot read manifest "
                  + manifest
                  + " of dataset "
                  + dataset.uri()
                  + " at version "
                  + snapshot.version()
                  + ": the object does not exist (deleted outside mlobj?), so the shards it lists"
                  + " cannot be read. Restore it, or run 'mlobj history "
                  + dataset.uri()
                  + "' and roll back to a version that does not reference it.");
    }
    return missing.isEmpty() ? ExitCodes.OK : ExitCodes.DAMAGED;
  }
}
