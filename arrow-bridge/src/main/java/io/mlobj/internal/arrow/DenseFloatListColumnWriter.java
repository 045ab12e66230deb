package io.mlobj.internal.arrow;

import java.io.IOException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.SizeStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.statistics.geospatial.GeospatialStatistics;
import org.apache.parquet.column.values.ValuesWriter;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Writes a column of fixed-size float lists (tensors) a run of rows at a time into parquet-mr's
 * page writer: the values of consecutive rows without nulls are one bulk copy from the Arrow buffer
 * ({@link BulkPlainValuesWriter#writeFloats}), instead of one {@code ColumnWriter.write(float, r,
 * d)} call per element that updates the levels, the statistics and the values writer one value at a
 * time.
 *
 * <p>The pages hold what parquet-mr's V1 column writer puts in them: repetition and definition
 * levels from parquet-mr's own level writers, PLAIN values, page statistics and size statistics as
 * its value collector keeps them, so the column chunk's statistics, encodings and value counts are
 * the same. Only where pages end differs: a page ends once its values reach the page size (or the
 * page row limit), at a row boundary, where parquet-mr ends it at its next size check.
 */
final class DenseFloatListColumnWriter {
  private final ColumnDescriptor column;
  private final ParquetProperties properties;
  private final int listSize;
  private final int maxDefinition;
  private final ValuesWriter repetition;
  private final ValuesWriter definition;
  private final BulkPlainValuesWriter values;
  private PageWriter pages;
  private Statistics<?> statistics;
  private SizeStatistics.Builder sizes;
  private int valueCount;
  private int pageRows;

  DenseFloatListColumnWriter(ColumnDescriptor column, ParquetProperties properties, int listSize) {
    this.column = column;
    this.properties = properties;
    this.listSize = listSize;
    this.maxDefinition = column.getMaxDefinitionLevel();
    this.repetition = properties.newRepetitionLevelWriter(column);
    this.definition = properties.newDefinitionLevelWriter(column);
    this.values = new BulkPlainValuesWriter(properties.getInitialSlabSize());
    newPageStatistics();
  }

  /** Whether this writer can stand in for parquet-mr's writer of {@code column}. */
  static boolean handles(ColumnDescriptor column, ParquetProperties properties, int listSize) {
    return listSize > 0
        && column.getMaxRepetitionLevel() == 1
        && column.getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.FLOAT
        && !properties.isDictionaryEnabled(column)
        && !properties.isBloomFilterEnabled(column)
        && properties.getWriterVersion() == ParquetProperties.WriterVersion.PARQUET_1_0;
  }

  /** Starts a row group whose column chunk goes to {@code pages}. */
  void startRowGroup(PageWriter pages) {
    this.pages = pages;
  }

  /** Bytes buffered for the current row group: the open page and the finished ones. */
  long bufferedSize() {
    return pageBytes() + (pages == null ? 0 : pages.getMemSize());
  }

  private long pageBytes() {
    return repetition.getBufferedSize() + definition.getBufferedSize() + values.getBufferedSize();
  }

  /** Writes rows {@code from} to {@code to} (exclusive) of {@code list}. */
  void write(FixedSizeListVector list, int from, int to) throws IOException {
    Float4Vector data = (Float4Vector) list.getDataVector();
    ArrowBuf buffer = data.getDataBuffer();
    boolean noNullElements = data.getNullCount() == 0;
    long rowBytes = (long) listSize * Float.BYTES;
    long pageSize = properties.getPageSizeThreshold();
    int rowLimit = properties.getPageRowCountLimit();
    int row = from;
    while (row < to) {
      // Rows up to the page's end: enough to reach the page size, within the page row limit.
      long fit = Math.max(1, (pageSize - pageBytes() + rowBytes - 1) / rowBytes);
      int end = (int) Math.min(to, Math.min(row + fit, (long) row + rowLimit - pageRows));
      int run = row; // first row of the current run of rows without nulls
      for (int r = row; r < end; r++) {
        if (list.isNull(r)) {
          writeValues(buffer, run, r);
          run = r + 1;
          writeNull(0, 0);
        } else if (noNullElements || denseRow(data, r)) {
          for (int k = 0; k < listSize; k++) {
            int level = k == 0 ? 0 : 1;
            repetition.writeInteger(level);
            definition.writeInteger(maxDefinition);
            sizes.add(level, maxDefinition);
          }
        } else {
          writeValues(buffer, run, r);
          run = r + 1;
          writeSparseRow(data, r);
        }
      }
      writeValues(buffer, run, end);
      pageRows += end - row;
      row = end;
      if (pageBytes() >= pageSize || pageRows >= rowLimit) {
        writePage();
      }
    }
  }

  private boolean denseRow(Float4Vector data, int row) {
    for (int k = row * listSize, end = k + listSize; k < end; k++) {
      if (data.isNull(k)) {
        return false;
      }
    }
    return true;
  }

  /** A row with null elements, element by element; a null element is defined up to the list. */
  private void writeSparseRow(Float4Vector data, int row) {
    int start = row * listSize;
    for (int k = 0; k < listSize; k++) {
      int level = k == 0 ? 0 : 1;
      if (data.isNull(start + k)) {
        writeNull(level, maxDefinition - 1);
      } else {
        float value = data.get(start + k);
        repetition.writeInteger(level);
        definition.writeInteger(maxDefinition);
        values.writeFloat(value);
        statistics.updateStats(value);
        sizes.add(level, maxDefinition);
        valueCount++;
      }
    }
  }

  private void writeNull(int repetitionLevel, int definitionLevel) {
    repetition.writeInteger(repetitionLevel);
    definition.writeInteger(definitionLevel);
    statistics.incrementNumNulls();
    sizes.add(repetitionLevel, definitionLevel);
    valueCount++;
  }

  private void writeValues(ArrowBuf data, int fromRow, int toRow) {
    if (toRow > fromRow) {
      int count = (toRow - fromRow) * listSize;
      values.writeFloats(data, (long) fromRow * listSize, count, statistics);
      valueCount += count;
    }
  }

  /** Writes the open page, if it holds anything; at the end of a row group. */
  void flush() throws IOException {
    if (valueCount > 0) {
      writePage();
    }
  }

  private void writePage() throws IOException {
    // As parquet-mr's ColumnWriterV1.writePage: levels and values concatenated, then reset.
    pages.writePage(
        BytesInput.concat(repetition.getBytes(), definition.getBytes(), values.getBytes()),
        valueCount,
        pageRows,
        statistics,
        sizes.build(),
        geospatial(),
        repetition.getEncoding(),
        definition.getEncoding(),
        values.getEncoding());
    repetition.reset();
    definition.reset();
    values.reset();
    valueCount = 0;
    pageRows = 0;
    newPageStatistics();
  }

  private GeospatialStatistics geospatial() {
    return properties.getStatisticsEnabled(column)
        ? GeospatialStatistics.newBuilder(column.getPrimitiveType()).build()
        : GeospatialStatistics.noopBuilder().build();
  }

  /** Fresh page statistics, as parquet-mr's value collector makes them. */
  private void newPageStatistics() {
    statistics =
        properties.getStatisticsEnabled(column)
            ? Statistics.createStats(column.getPrimitiveType())
            : Statistics.noopStats(column.getPrimitiveType());
    int maxRepetition = column.getMaxRepetitionLevel();
    sizes =
        properties.getSizeStatisticsEnabled(column)
            ? SizeStatistics.newBuilder(column.getPrimitiveType(), maxRepetition, maxDefinition)
            : SizeStatistics.noopBuilder(column.getPrimitiveType(), maxRepetition, maxDefinition);
  }

  /** Drops whatever is buffered (an abandoned shard). */
  void close() {
    repetition.close();
    definition.close();
    values.close();
  }
}
