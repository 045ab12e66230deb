package io.mlobj.internal.arrow;

import java.io.IOException;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.SizeStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.statistics.geospatial.GeospatialStatistics;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Writes a column of fixed-size float lists (tensors) a run of rows at a time into parquet-mr's
 * page writer: the values of consecutive rows without nulls are one bulk copy from the Arrow buffer
 * ({@link BulkPlainValuesWriter#writeFloats}), instead of one {@code ColumnWriter.write(float, r,
 * d)} call per element that updates the levels, the statistics and the values writer one value at a
 * time.
 *
 * <p>The pages hold what parquet-mr's V1 column writer puts in them: repetition and definition
 * levels encoded as parquet-mr's level writers encode them ({@link RleLevelWriter}), PLAIN values,
 * page statistics and size statistics as its value collector keeps them, so the column chunk's
 * statistics, encodings and value counts are the same. Only where pages end differs: a page ends
 * once its values reach the page size (or the page row limit), at a row boundary, where parquet-mr
 * ends it at its next size check.
 */
final class DenseFloatListColumnWriter {
  private final ColumnDescriptor column;
  private final ParquetProperties properties;
  private final int listSize;
  private final int maxDefinition;
  private final RleLevelWriter repetition;
  private final RleLevelWriter definition;
  private final BulkPlainValuesWriter values;
  private PageWriter pages;
  private Statistics<?> statistics;
  private final boolean sizeStatistics;
  private final long[] repetitionHistogram;
  private final long[] definitionHistogram;
  private int valueCount;
  private int pageRows;

  DenseFloatListColumnWriter(ColumnDescriptor column, ParquetProperties properties, int listSize) {
    this.column = column;
    this.properties = properties;
    this.listSize = listSize;
    this.maxDefinition = column.getMaxDefinitionLevel();
    this.repetition = new RleLevelWriter(column.getMaxRepetitionLevel());
    this.definition = new RleLevelWriter(maxDefinition);
    this.sizeStatistics = properties.getSizeStatisticsEnabled(column);
    this.repetitionHistogram = new long[2];
    // As parquet-mr's SizeStatistics.Builder: no definition histogram up to level 1.
    this.definitionHistogram = new long[maxDefinition > 1 ? maxDefinition + 1 : 0];
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
    return repetition.bufferedSize() + definition.bufferedSize() + values.getBufferedSize();
  }

  /**
   * Writes rows {@code from} to {@code to} (exclusive) of {@code list}; {@code noNullElements} says
   * that its element vector has no null at all (Arrow counts them by a scan of the whole vector, so
   * the caller does it once per batch).
   */
  void write(FixedSizeListVector list, int from, int to, boolean noNullElements)
      throws IOException {
    Float4Vector data = (Float4Vector) list.getDataVector();
    ArrowBuf buffer = data.getDataBuffer();
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
          repetition.write(0);
          repetition.writeRepeated(1, listSize - 1);
          definition.writeRepeated(maxDefinition, listSize);
          count(0, maxDefinition, 1);
          count(1, maxDefinition, listSize - 1);
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
        repetition.write(level);
        definition.write(maxDefinition);
        values.writeFloat(value);
        statistics.updateStats(value);
        count(level, maxDefinition, 1);
        valueCount++;
      }
    }
  }

  private void writeNull(int repetitionLevel, int definitionLevel) {
    repetition.write(repetitionLevel);
    definition.write(definitionLevel);
    statistics.incrementNumNulls();
    count(repetitionLevel, definitionLevel, 1);
    valueCount++;
  }

  /** Adds {@code n} levels to the page's level histograms (parquet-mr's size statistics). */
  private void count(int repetitionLevel, int definitionLevel, int n) {
    repetitionHistogram[repetitionLevel] += n;
    if (definitionHistogram.length > 0) {
      definitionHistogram[definitionLevel] += n;
    }
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
        BytesInput.concat(repetition.toBytes(), definition.toBytes(), values.getBytes()),
        valueCount,
        pageRows,
        statistics,
        sizeStatistics(),
        geospatial(),
        Encoding.RLE,
        Encoding.RLE,
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
    Arrays.fill(repetitionHistogram, 0);
    Arrays.fill(definitionHistogram, 0);
  }

  /** The page's size statistics, as parquet-mr's builder makes them for a non-binary column. */
  private SizeStatistics sizeStatistics() {
    PrimitiveType type = column.getPrimitiveType();
    if (!sizeStatistics) {
      return SizeStatistics.noopBuilder(type, 1, maxDefinition).build();
    }
    return new SizeStatistics(
        type,
        0,
        Arrays.stream(repetitionHistogram).boxed().toList(),
        Arrays.stream(definitionHistogram).boxed().toList());
  }

  /** Drops whatever is buffered (an abandoned shard). */
  void close() {
    repetition.reset();
    definition.reset();
    values.reset();
  }
}
