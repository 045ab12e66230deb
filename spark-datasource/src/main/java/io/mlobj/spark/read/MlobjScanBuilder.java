package io.mlobj.spark.read;

import io.mlobj.Predicate;
import io.mlobj.Predicates;
import io.mlobj.spark.MlobjOptions;
import io.mlobj.spark.MlobjTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownFilters;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Collects column pruning and filters. Filters only skip shards (by statistics and partition
 * values), so Spark still evaluates every filter on the rows: all of them are returned as post-scan
 * filters, and the ones used for skipping are reported as pushed.
 */
public final class MlobjScanBuilder
    implements ScanBuilder, SupportsPushDownRequiredColumns, SupportsPushDownFilters {
  private final MlobjTable table;
  private final MlobjOptions options;
  private List<String> columns;
  private final List<Filter> pushed = new ArrayList<>();
  private final List<Predicate> predicates = new ArrayList<>();

  public MlobjScanBuilder(MlobjTable table, MlobjOptions options) {
    this.table = table;
    this.options = options;
  }

  @Override
  public void pruneColumns(StructType requiredSchema) {
    List<String> names = new ArrayList<>();
    for (StructField f : requiredSchema.fields()) {
      names.add(f.name());
    }
    this.columns = names;
  }

  @Override
  public Filter[] pushFilters(Filter[] filters) {
    for (Filter filter : filters) {
      Optional<Predicate> p =
          FilterTranslator.translate(
              filter, table.snapshot().schema(), table.snapshot().partitionColumns());
      if (p.isPresent()) {
        pushed.add(filter);
        predicates.add(p.get());
      }
    }
    return filters;
  }

  @Override
  public Filter[] pushedFilters() {
    return pushed.toArray(Filter[]::new);
  }

  @Override
  public Scan build() {
    Predicate filter =
        predicates.isEmpty()
            ? Predicates.alwaysTrue()
            : predicates.size() == 1
                ? predicates.get(0)
                : Predicates.and(predicates.toArray(Predicate[]::new));
    List<String> selected = columns;
    if (selected == null) {
      selected = table.snapshot().schema().getFields().stream().map(f -> f.getName()).toList();
    }
    return new MlobjScan(table, options, selected, filter, pushed);
  }
}
