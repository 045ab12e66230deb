package io.mlobj.spark.write;

import io.mlobj.MlobjErrors;
import io.mlobj.Predicate;
import io.mlobj.Predicates;
import io.mlobj.spark.MlobjOptions;
import io.mlobj.spark.MlobjTable;
import io.mlobj.spark.read.FilterTranslator;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.SupportsDynamicOverwrite;
import org.apache.spark.sql.connector.write.SupportsOverwrite;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.sources.AlwaysTrue;
import org.apache.spark.sql.sources.Filter;

/**
 * Chooses the kind of commit: append (default), overwrite everything ({@code mode("overwrite")},
 * {@code INSERT OVERWRITE}), overwrite the partitions matching a filter, or overwrite the
 * partitions present in the data (dynamic).
 */
public final class MlobjWriteBuilder
    implements WriteBuilder, SupportsOverwrite, SupportsDynamicOverwrite {
  private final MlobjTable table;
  private final MlobjOptions options;
  private final LogicalWriteInfo info;
  private WriteMode mode = WriteMode.APPEND;
  private Predicate overwriteWhere;

  public MlobjWriteBuilder(MlobjTable table, MlobjOptions options, LogicalWriteInfo info) {
    this.table = table;
    this.options = options;
    this.info = info;
  }

  @Override
  public WriteBuilder truncate() {
    boolean partitioned = !table.partitionColumns().isEmpty();
    mode =
        partitioned && options.dynamicOverwrite()
            ? WriteMode.OVERWRITE_DYNAMIC
            : WriteMode.OVERWRITE_ALL;
    return this;
  }

  @Override
  public WriteBuilder overwrite(Filter[] filters) {
    List<Predicate> parts = new ArrayList<>();
    List<String> partitions = table.partitionColumns();
    for (Filter filter : filters) {
      if (filter instanceof AlwaysTrue) {
        continue;
      }
      for (String column : filter.references()) {
        if (!partitions.contains(column)) {
          throw MlobjErrors.badOption(
              "overwrite filter",
              filter.toString(),
              "a filter on partition columns " + partitions + " only");
        }
      }
      parts.add(
          FilterTranslator.translate(filter)
              .orElseThrow(
                  () ->
                      MlobjErrors.badOption(
                          "overwrite filter",
                          filter.toString(),
                          "=, <, >, IN or IS NULL on partition columns")));
    }
    if (parts.isEmpty()) {
      return truncate();
    } else {
      mode = WriteMode.OVERWRITE_WHERE;
      overwriteWhere =
          parts.size() == 1 ? parts.get(0) : Predicates.and(parts.toArray(Predicate[]::new));
      return this;
    }
  }

  @Override
  public WriteBuilder overwriteDynamicPartitions() {
    mode = WriteMode.OVERWRITE_DYNAMIC;
    return this;
  }

  @Override
  public Write build() {
    return new MlobjWrite(table, options, info, mode, overwriteWhere);
  }
}
