package io.mlobj.spark.read;

import io.mlobj.spark.types.UnsafeArrayColumn;
import java.io.IOException;
import java.util.Arrays;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.catalyst.util.MapData;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Decimal;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.sql.vectorized.ColumnarBatchRow;
import org.apache.spark.unsafe.types.BinaryView;
import org.apache.spark.unsafe.types.CalendarInterval;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.unsafe.types.VariantVal;

/**
 * Row reads over a columnar reader in which array columns of fixed-width elements (tensors, lists
 * of numbers) come back as {@code UnsafeArrayData} filled by bulk copies (see {@link
 * UnsafeArrayColumn}); every other column is read from the batch as Spark's {@code ColumnarToRow}
 * would. Spark's projection to {@code UnsafeRow} then copies each array with one memory copy
 * instead of element by element. Used for scans of such columns ({@code readAs=auto} or {@code
 * rows}). The row is reused: valid until the next {@link #next()}.
 */
final class UnsafeArrayRowsReader implements PartitionReader<InternalRow> {
  private final PartitionReader<ColumnarBatch> batches;
  private final UnsafeArrayColumn[] arrays;
  private final BatchRow row;
  private int rows;

  UnsafeArrayRowsReader(PartitionReader<ColumnarBatch> batches, StructType schema) {
    this.batches = batches;
    this.arrays = new UnsafeArrayColumn[schema.fields().length];
    for (int i = 0; i < arrays.length; i++) {
      arrays[i] = UnsafeArrayColumn.forType(schema.fields()[i].dataType());
    }
    this.row = new BatchRow(arrays.length);
  }

  @Override
  public boolean next() throws IOException {
    while (row.delegate == null || row.delegate.rowId + 1 >= rows) {
      if (!batches.next()) {
        return false;
      }
      ColumnarBatch batch = batches.get();
      rows = batch.numRows();
      ColumnVector[] columns = new ColumnVector[batch.numCols()];
      for (int i = 0; i < columns.length; i++) {
        columns[i] = batch.column(i);
        row.bound[i] = i < arrays.length && arrays[i] != null && arrays[i].bind(columns[i]);
      }
      row.arrays = arrays;
      row.delegate = new ColumnarBatchRow(columns);
      row.delegate.rowId = -1;
    }
    row.delegate.rowId++;
    return true;
  }

  @Override
  public InternalRow get() {
    return row;
  }

  @Override
  public CustomTaskMetric[] currentMetricsValues() {
    long copied = 0;
    for (UnsafeArrayColumn a : arrays) {
      copied += a == null ? 0 : a.copied();
    }
    CustomTaskMetric[] inner = batches.currentMetricsValues();
    CustomTaskMetric[] all = Arrays.copyOf(inner, inner.length + 1);
    all[inner.length] = ScanMetricsReport.value(ScanMetricsReport.ARRAYS_COPIED, copied);
    return all;
  }

  @Override
  public void close() throws IOException {
    batches.close();
  }

  /** A batch row whose bound array columns answer with {@code UnsafeArrayData}. */
  private static final class BatchRow extends InternalRow {
    private final boolean[] bound;
    private UnsafeArrayColumn[] arrays;
    private ColumnarBatchRow delegate;

    BatchRow(int fields) {
      this.bound = new boolean[fields];
    }

    @Override
    public int numFields() {
      return delegate.numFields();
    }

    @Override
    public ArrayData getArray(int ordinal) {
      return bound[ordinal] ? arrays[ordinal].get(delegate.rowId) : delegate.getArray(ordinal);
    }

    @Override
    public Object get(int ordinal, DataType dataType) {
      if (bound[ordinal]) {
        return isNullAt(ordinal) ? null : getArray(ordinal);
      }
      return delegate.get(ordinal, dataType);
    }

    @Override
    public InternalRow copy() {
      InternalRow copy = delegate.copy();
      for (int i = 0; i < bound.length; i++) {
        if (bound[i] && !isNullAt(i)) {
          copy.update(i, getArray(i).copy());
        }
      }
      return copy;
    }

    @Override
    public boolean anyNull() {
      return delegate.anyNull();
    }

    @Override
    public boolean isNullAt(int ordinal) {
      return delegate.isNullAt(ordinal);
    }

    @Override
    public boolean getBoolean(int ordinal) {
      return delegate.getBoolean(ordinal);
    }

    @Override
    public byte getByte(int ordinal) {
      return delegate.getByte(ordinal);
    }

    @Override
    public short getShort(int ordinal) {
      return delegate.getShort(ordinal);
    }

    @Override
    public int getInt(int ordinal) {
      return delegate.getInt(ordinal);
    }

    @Override
    public long getLong(int ordinal) {
      return delegate.getLong(ordinal);
    }

    @Override
    public float getFloat(int ordinal) {
      return delegate.getFloat(ordinal);
    }

    @Override
    public double getDouble(int ordinal) {
      return delegate.getDouble(ordinal);
    }

    @Override
    public Decimal getDecimal(int ordinal, int precision, int scale) {
      return delegate.getDecimal(ordinal, precision, scale);
    }

    @Override
    public UTF8String getUTF8String(int ordinal) {
      return delegate.getUTF8String(ordinal);
    }

    @Override
    public byte[] getBinary(int ordinal) {
      return delegate.getBinary(ordinal);
    }

    @Override
    public BinaryView getBinaryView(int ordinal) {
      return delegate.getBinaryView(ordinal);
    }

    @Override
    public CalendarInterval getInterval(int ordinal) {
      return delegate.getInterval(ordinal);
    }

    @Override
    public VariantVal getVariant(int ordinal) {
      return delegate.getVariant(ordinal);
    }

    @Override
    public InternalRow getStruct(int ordinal, int numFields) {
      return delegate.getStruct(ordinal, numFields);
    }

    @Override
    public MapData getMap(int ordinal) {
      return delegate.getMap(ordinal);
    }

    @Override
    public void setNullAt(int i) {
      throw new UnsupportedOperationException("Cannot modify a row read from a dataset");
    }

    @Override
    public void update(int i, Object value) {
      throw new UnsupportedOperationException("Cannot modify a row read from a dataset");
    }
  }
}
