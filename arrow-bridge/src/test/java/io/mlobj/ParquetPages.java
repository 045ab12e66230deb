package io.mlobj;

import io.mlobj.internal.arrow.ByteArrayInputFile;
import io.mlobj.internal.arrow.ByteBufferOutputFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Where the pages of a Parquet file lie, for tests that damage one, and files written by plain
 * parquet-mr without page CRCs (as writers before page CRCs, or pyarrow by default, write them).
 */
public final class ParquetPages {
  private ParquetPages() {}

  /** A page's place: where its header starts, where its (compressed) data starts, how long. */
  public record Page(long headerAt, long dataAt, int dataBytes, boolean hasCrc) {
    /** A byte in the middle of the page's data (not its header). */
    public long middle() {
      return dataAt + dataBytes / 2;
    }
  }

  /** The first data page of the column's chunk in the row group. */
  public static Page firstDataPage(byte[] file, int rowGroup, String column) {
    try (ParquetFileReader reader = ParquetFileReader.open(new ByteArrayInputFile(file))) {
      BlockMetaData block = reader.getRowGroups().get(rowGroup);
      for (ColumnChunkMetaData chunk : block.getColumns()) {
        if (chunk.getPath().toDotString().equals(column)
            || chunk.getPath().toArray()[0].equals(column)) {
          return pageAt(file, chunk.getFirstDataPageOffset());
        }
      }
      throw new IllegalArgumentException("no column " + column + " in row group " + rowGroup);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether every page of every column chunk of the file carries a CRC. */
  public static boolean everyPageHasACrc(byte[] file) {
    return pageCrcs(file, true);
  }

  /** Whether no page of the file carries a CRC. */
  public static boolean noPageHasACrc(byte[] file) {
    return pageCrcs(file, false);
  }

  private static boolean pageCrcs(byte[] file, boolean expected) {
    try (ParquetFileReader reader = ParquetFileReader.open(new ByteArrayInputFile(file))) {
      for (BlockMetaData block : reader.getRowGroups()) {
        for (ColumnChunkMetaData chunk : block.getColumns()) {
          long at = chunk.getStartingPos();
          long end = at + chunk.getTotalSize();
          while (at < end) {
            Page page = pageAt(file, at);
            if (page.hasCrc() != expected) {
              return false;
            }
            at = page.dataAt() + page.dataBytes();
          }
        }
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Page pageAt(byte[] file, long offset) {
    try {
      ByteArrayInputStream in =
          new ByteArrayInputStream(file, (int) offset, file.length - (int) offset);
      int before = in.available();
      PageHeader header = Util.readPageHeader(in);
      long dataAt = offset + before - in.available();
      return new Page(offset, dataAt, header.getCompressed_page_size(), header.isSetCrc());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Rows {@code firstId ..} of {@link SmallRows}' schema ({@code id} int64, {@code writer} int32)
   * as plain parquet-mr writes them with page CRCs off, in row groups of about {@code
   * rowGroupBytes}.
   */
  public static byte[] plainFileWithoutPageCrcs(
      long firstId, int rows, int writer, long rowGroupBytes) {
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message rows { required int64 id; optional int32 writer; }");
    ByteBufferOutputFile out = new ByteBufferOutputFile(1 << 16);
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> file =
        ExampleParquetWriter.builder(out)
            .withType(schema)
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withRowGroupSize(rowGroupBytes)
            .withPageSize(1024)
            .withPageWriteChecksumEnabled(false)
            .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
            .build()) {
      for (int i = 0; i < rows; i++) {
        file.write(groups.newGroup().append("id", firstId + i).append("writer", writer));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
