package io.mlobj.cli;

import io.mlobj.Predicate;
import io.mlobj.Predicates;
import io.mlobj.Snapshot;
import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.FixedShapeTensorType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mlobj show URI[@VERSION|@TAG]}: the first rows of a dataset version as a table, JSON or
 * CSV, read through the kernel's {@link io.mlobj.Scan} (shards that cannot match {@code --where}
 * are skipped, and non-matching rows dropped). Tensors print as type, shape and statistics.
 */
@Command(
    name = "show",
    description = {
      "Print rows of a dataset version: a table, or --json / --csv.",
      "Tensors are summarised by type, shape and min/mean/max."
    })
final class ShowCommand implements Callable<Integer> {
  @Mixin CommonOptions opts;

  @Mixin VersionedTarget dataset;

  @Option(
      names = "--columns",
      split = ",",
      paramLabel = "COL",
      description = "Columns to print, comma-separated (default: all).")
  List<String> columns;

  @Option(
      names = "--where",
      paramLabel = "CONDITION",
      description =
          "Rows to print, e.g. \"split = 'train' and label in (1, 2)\": =, !=, <, <=, >, >=, in"
              + " (...), joined with and.")
  String where;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "Print at most N rows (default ${DEFAULT-VALUE}).")
  int limit = 20;

  @Option(names = "--csv", description = "Print CSV with a header line instead of a table.")
  boolean csv;

  @Override
  public Integer call() {
    if (limit < 1) {
      throw new CliException(
          ExitCodes.USAGE, "Cannot show rows: --limit is " + limit + ". Use a positive number.");
    }
    Output out = opts.output();
    if (csv && out.json()) {
      throw new CliException(
          ExitCodes.USAGE, "Cannot show rows: --csv and --json both given. Choose one.");
    }
    Snapshot snapshot = dataset.resolve(opts);
    List<String> shown = columns == null ? names(snapshot) : columns;
    Predicate filter = where == null ? Predicates.alwaysTrue() : WhereParser.parse(where);
    Set<String> read = new LinkedHashSet<>(shown);
    read.addAll(filter.columns());
    checkColumns(snapshot, read, filter.columns());

    List<List<FieldCell>> rows = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator();
        BatchReader reader =
            snapshot
                .newScan()
                .select(List.copyOf(read))
                .filter(filter)
                .filterRows(true)
                .batchRows(Math.min(limit, 8192))
                .build()
                .open(allocator)) {
      while (rows.size() < limit && reader.next()) {
        VectorSchemaRoot root = reader.root();
        for (int r = 0; r < root.getRowCount() && rows.size() < limit; r++) {
          List<FieldCell> row = new ArrayList<>();
          for (String c : shown) {
            FieldVector v = root.getVector(c);
            row.add(new FieldCell(Cells.text(v, r, !csv), Cells.json(v, r)));
          }
          rows.add(row);
        }
      }
    }
    print(out, shown, rows, snapshot);
    return ExitCodes.OK;
  }

  /** One cell, rendered for text and for JSON while its batch is still open. */
  private record FieldCell(String text, Object json) {}

  private void print(Output out, List<String> shown, List<List<FieldCell>> rows, Snapshot s) {
    if (out.json()) {
      List<Map<String, Object>> json = new ArrayList<>();
      for (List<FieldCell> row : rows) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < shown.size(); i++) {
          m.put(shown.get(i), row.get(i).json());
        }
        json.add(m);
      }
      out.json(json);
    } else if (csv) {
      out.line(String.join(",", shown.stream().map(ShowCommand::csvCell).toList()));
      for (List<FieldCell> row : rows) {
        out.line(String.join(",", row.stream().map(c -> csvCell(c.text())).toList()));
      }
    } else {
      out.table(shown, rows.stream().map(r -> r.stream().map(FieldCell::text).toList()).toList());
      out.line(
          rows.size()
              + (rows.size() == 1 ? " row" : " rows")
              + " of "
              + s.dataset().uri()
              + " at version "
              + s.version()
              + (rows.size() == limit ? " (--limit " + limit + " reached)" : ""));
    }
  }

  private static List<String> names(Snapshot snapshot) {
    return snapshot.schema().getFields().stream().map(Field::getName).toList();
  }

  private static void checkColumns(Snapshot snapshot, Set<String> wanted, Set<String> filtered) {
    Map<String, Field> fields = new LinkedHashMap<>();
    snapshot.schema().getFields().forEach(f -> fields.put(f.getName(), f));
    for (String c : wanted) {
      Field f = fields.get(c);
      if (f == null) {
        throw new CliException(
            ExitCodes.USAGE,
            "Cannot show column '"
                + c
                + "' of dataset "
                + snapshot.dataset().uri()
                + " at version "
                + snapshot.version()
                + ": there is no such column. Columns: "
                + String.join(", ", fields.keySet())
                + ".");
      }
      if (filtered.contains(c) && f.getType() instanceof FixedShapeTensorType) {
        throw new CliException(
            ExitCodes.USAGE,
            "Cannot filter on column '"
                + c
                + "' of dataset "
                + snapshot.dataset().uri()
                + ": it is a tensor. Filter on scalar columns only.");
      }
    }
  }

  private static String csvCell(String text) {
    if (text.contains(",") || text.contains("\"") || text.contains("\n")) {
      return "\"" + text.replace("\"", "\"\"") + "\"";
    }
    return text;
  }
}
