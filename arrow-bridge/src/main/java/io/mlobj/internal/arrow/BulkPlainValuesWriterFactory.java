package io.mlobj.internal.arrow;

import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.values.RequiresFallback;
import org.apache.parquet.column.values.ValuesWriter;
import org.apache.parquet.column.values.factory.DefaultValuesWriterFactory;
import org.apache.parquet.column.values.factory.ValuesWriterFactory;
import org.apache.parquet.column.values.fallback.FallbackValuesWriter;
import org.apache.parquet.column.values.plain.PlainValuesWriter;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * parquet-mr's default choice of values writers (dictionary encoding with fallback where enabled,
 * the same encodings), except that every PLAIN writer of INT32, INT64, FLOAT or DOUBLE values,
 * direct or as a dictionary's fallback, is a {@link BulkPlainValuesWriter}. The pages are
 * byte-for-byte those of the default factory; only the cost of writing them changes.
 */
public final class BulkPlainValuesWriterFactory implements ValuesWriterFactory {
  private final DefaultValuesWriterFactory defaults = new DefaultValuesWriterFactory();
  private int initialCapacity;

  @Override
  public void initialize(ParquetProperties properties) {
    defaults.initialize(properties);
    initialCapacity = properties.getInitialSlabSize();
  }

  @Override
  public ValuesWriter newValuesWriter(ColumnDescriptor column) {
    ValuesWriter writer = defaults.newValuesWriter(column);
    if (!fixedWidthNumber(column.getPrimitiveType().getPrimitiveTypeName())) {
      return writer;
    }
    if (writer.getClass() == PlainValuesWriter.class) {
      writer.close();
      return new BulkPlainValuesWriter(initialCapacity);
    }
    if (writer instanceof FallbackValuesWriter<?, ?> fallback
        && fallback.fallBackWriter.getClass() == PlainValuesWriter.class) {
      fallback.fallBackWriter.close();
      return withPlainFallback(fallback);
    }
    return writer; // another encoding (e.g. a V2 writer's DELTA_BINARY_PACKED): left as it is
  }

  private <I extends ValuesWriter & RequiresFallback> ValuesWriter withPlainFallback(
      FallbackValuesWriter<I, ?> fallback) {
    return FallbackValuesWriter.of(
        fallback.initialWriter, new BulkPlainValuesWriter(initialCapacity));
  }

  private static boolean fixedWidthNumber(PrimitiveTypeName type) {
    return switch (type) {
      case INT32, INT64, FLOAT, DOUBLE -> true;
      default -> false;
    };
  }
}
