package io.mlobj.cli;

import io.mlobj.Snapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.arrow.vector.types.pojo.Field;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code mlobj schema URI[@VERSION|@TAG]}: the columns of a version, without sizes or history. */
@Command(name = "schema", description = "Print the columns of a dataset version and their types.")
final class SchemaCommand implements Callable<Integer> {
  @Mixin CommonOptions opts;

  @Mixin VersionedTarget dataset;

  @Override
  public Integer call() {
    Snapshot snapshot = dataset.resolve(opts);
    List<String> partitions = snapshot.partitionColumns();
    List<Map<String, Object>> columns = new ArrayList<>();
    for (Field field : snapshot.schema().getFields()) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("name", field.getName());
      c.put("type", Cells.typeName(field));
      c.put("nullable", field.isNullable());
      c.put("partition", partitions.contains(field.getName()));
      columns.add(c);
    }
    Output out = opts.output();
    if (out.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("uri", snapshot.dataset().uri());
      json.put("version", snapshot.version());
      json.put("columns", columns);
      out.json(json);
      return ExitCodes.OK;
    }
    out.table(
        List.of("COLUMN", "TYPE", "NULLABLE", "PARTITION"),
        columns.stream()
            .map(
                c ->
                    List.of(
                        (String) c.get("name"),
                        (String) c.get("type"),
                        String.valueOf(c.get("nullable")),
                        (Boolean) c.get("partition") ? "yes" : ""))
            .toList());
    return ExitCodes.OK;
  }
}
