package io.mlobj.flink.table;

import io.mlobj.Predicate;
import io.mlobj.Predicates;
import io.mlobj.flink.source.MlobjSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.connector.source.abilities.SupportsFilterPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The SQL scan: builds a {@link MlobjSource} of {@link RowData} with the projected columns and the
 * pushed-down filters as a kernel predicate (shard skipping by statistics and partition values).
 * Filters stay with Flink too, since skipping is by shard, not by row.
 */
final class MlobjDynamicTableSource
    implements ScanTableSource, SupportsProjectionPushDown, SupportsFilterPushDown {
  private final UnaryOperator<MlobjSource.Builder<RowData>> configure;
  private DataType producedType;
  private final List<Predicate> filters = new ArrayList<>();

  MlobjDynamicTableSource(
      UnaryOperator<MlobjSource.Builder<RowData>> configure, DataType producedType) {
    this.configure = configure;
    this.producedType = producedType;
  }

  @Override
  public ChangelogMode getChangelogMode() {
    return ChangelogMode.insertOnly();
  }

  @Override
  public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
    RowType rowType = (RowType) producedType.getLogicalType();
    RowDataDeserializer deserializer =
        new RowDataDeserializer(rowType, context.createTypeInformation(producedType));
    MlobjSource.Builder<RowData> builder =
        configure
            .apply(MlobjSource.builder(deserializer))
            .select(rowType.getFieldNames())
            .filter(
                filters.isEmpty()
                    ? Predicates.alwaysTrue()
                    : Predicates.and(filters.toArray(new Predicate[0])));
    return SourceProvider.of(builder.build());
  }

  @Override
  public boolean supportsNestedProjection() {
    return false;
  }

  @Override
  public void applyProjection(int[][] projectedFields, DataType producedDataType) {
    this.producedType = producedDataType;
  }

  @Override
  public Result applyFilters(List<ResolvedExpression> expressions) {
    List<ResolvedExpression> accepted = new ArrayList<>();
    for (ResolvedExpression expression : expressions) {
      Optional<Predicate> predicate = FilterConverter.convert(expression);
      if (predicate.isPresent()) {
        filters.add(predicate.get());
        accepted.add(expression);
      }
    }
    return Result.of(accepted, expressions);
  }

  @Override
  public DynamicTableSource copy() {
    MlobjDynamicTableSource copy = new MlobjDynamicTableSource(configure, producedType);
    copy.filters.addAll(filters);
    return copy;
  }

  @Override
  public String asSummaryString() {
    return "mlobj";
  }
}
