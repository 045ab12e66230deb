package io.mlobj.flink.table;

import io.mlobj.flink.sink.MlobjSink;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * The SQL sink: an insert-only {@link MlobjSink} of {@link RowData}, one version per checkpoint.
 */
final class MlobjDynamicTableSink implements DynamicTableSink {
  private final MlobjSink.Builder<RowData> builder;
  private final RowType rowType;
  private final Schema schema;

  MlobjDynamicTableSink(MlobjSink.Builder<RowData> builder, RowType rowType, Schema schema) {
    this.builder = builder;
    this.rowType = rowType;
    this.schema = schema;
  }

  @Override
  public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
    return ChangelogMode.insertOnly();
  }

  @Override
  public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
    return SinkV2Provider.of(
        builder.schema(schema).serializer(new RowDataSerializer(rowType)).build());
  }

  @Override
  public DynamicTableSink copy() {
    return new MlobjDynamicTableSink(builder, rowType, schema);
  }

  @Override
  public String asSummaryString() {
    return "mlobj";
  }
}
