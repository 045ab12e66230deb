package io.mlobj.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.internal.arrow.ByteArrayInputFile;
import io.mlobj.internal.arrow.ByteBufferOutputFile;
import io.mlobj.internal.arrow.ParquetBatchReader;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.ParquetFileRange;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;

/**
 * Fetched Parquet bytes are read where they lie: column chunks are slices of the fetched array, not
 * copies, and a shard's footer is parsed once however many readers (one per row group, as the
 * trainer feed opens them) are opened over it, while another file never gets its footer.
 */
class InPlaceParquetReadTest {
  private static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType("message m { required int64 id; }");

  private static byte[] file(int rows) throws IOException {
    ByteBufferOutputFile out = new ByteBufferOutputFile(1 << 16);
    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(out).withType(SCHEMA).withRowGroupRowCountLimit(10).build()) {
      for (int i = 0; i < rows; i++) {
        writer.write(groups.newGroup().append("id", (long) i));
      }
    }
    return out.toByteArray();
  }

  @Test
  void vectoredReadsAreSlicesOfTheFetchedArray() throws IOException {
    byte[] bytes = file(50);
    try (SeekableInputStream in = new ByteArrayInputFile(bytes).newStream()) {
      ParquetFileRange range = new ParquetFileRange(4, 20);
      in.readVectored(List.of(range), new HeapByteBufferAllocator());
      ByteBuffer slice = range.getDataReadFuture().join();
      assertThat(slice.array()).as("the same array, not a copy").isSameAs(bytes);
      assertThat(slice.arrayOffset() + slice.position()).isEqualTo(4);
      assertThat(slice.remaining()).isEqualTo(20);
      ParquetFileRange past = new ParquetFileRange(bytes.length - 4, 8);
      assertThatThrownBy(() -> in.readVectored(List.of(past), new HeapByteBufferAllocator()))
          .isInstanceOf(EOFException.class);
    }
  }

  @Test
  void aFooterIsParsedOncePerDistinctFooter() throws IOException {
    byte[] bytes = file(50);
    byte[] copy = bytes.clone();
    byte[] other = file(51);
    ParquetMetadata first = footer(bytes);
    assertThat(first.getBlocks()).hasSize(5);
    assertThat(footer(copy)).as("identical bytes elsewhere").isSameAs(first);
    ParquetMetadata different = footer(other);
    assertThat(different).isNotSameAs(first);
    assertThat(different.getBlocks()).hasSize(6);
  }

  private static ParquetMetadata footer(byte[] bytes) throws IOException {
    try (ParquetFileReader reader = ParquetBatchReader.openFile(ByteBuffer.wrap(bytes))) {
      return reader.getFooter();
    }
  }
}
