package io.mlobj.internal.arrow;

import io.mlobj.ShardCodec;
import io.mlobj.ShardFormat;
import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.ShardEncoder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.ParquetDecodingException;

/** Parquet shards: row groups are the blocks. */
public final class ParquetShardCodec implements ShardCodec {
  @Override
  public ShardFormat format() {
    return ShardFormat.PARQUET;
  }

  @Override
  public List<String> fileExtensions() {
    return List.of(".parquet", ".parq");
  }

  @Override
  public void checkCompression(String compression) {
    ParquetShardEncoder.codec(compression);
  }

  @Override
  public ShardEncoder newEncoder(
      Schema schema,
      String compression,
      long blockBytes,
      BufferAllocator allocator,
      int initialCapacity) {
    // The column-at-a-time writer (about twice as fast for tensors) where it handles every
    // column; the record-at-a-time writer for nested columns. Both write the same file layout.
    if (ColumnarParquetEncoder.supports(schema)) {
      return new ColumnarParquetEncoder(schema, compression, blockBytes, initialCapacity);
    }
    return new ParquetShardEncoder(schema, compression, blockBytes, initialCapacity);
  }

  @Override
  public BatchReader open(
      Source source,
      Schema schema,
      BufferAllocator allocator,
      int firstBlock,
      int blockCount,
      int batchRows)
      throws IOException {
    return new ParquetBatchReader(
        buffer(source), schema, allocator, firstBlock, blockCount, batchRows);
  }

  @Override
  public boolean readsBlocksByRange() {
    return true;
  }

  @Override
  public BatchReader openBlock(
      SeekableByteChannel object, Schema wanted, BufferAllocator allocator, int block)
      throws Exception {
    return openBlock(object, null, wanted, allocator, block);
  }

  /**
   * One row group read by range: the footer (unless kept for {@code content}, see {@link
   * ObjectFooters}), then the wanted columns' chunks of that row group only, decoded at once into
   * the reader's root, with the CRC of every page that has one checked ({@link
   * ParquetReadDefaults#checkingPageCrcs}). Never null: columns the file lacks read as nulls.
   *
   * @throws DamagedPageException when a page's bytes do not match its CRC
   */
  @Override
  public BatchReader openBlock(
      SeekableByteChannel object,
      String content,
      Schema wanted,
      BufferAllocator allocator,
      int block)
      throws Exception {
    InputFile file = new ChannelInputFile(object);
    ParquetReadOptions options = ParquetReadDefaults.checkingPageCrcs();
    ParquetMetadata footer = content == null ? null : ObjectFooters.get(content);
    if (footer == null) {
      footer = ParquetBatchReader.readFooter(file, options);
      if (content != null) {
        ObjectFooters.put(content, footer);
      }
    }
    int group = Math.max(0, block);
    ParquetBatchReader reader =
        new ParquetBatchReader(
            ParquetBatchReader.openFile(file, footer, options),
            wanted,
            allocator,
            group,
            1,
            Integer.MAX_VALUE);
    try {
      // Wanted columns the file lacks (added by schema evolution) read as nulls, as when whole.
      if (!reader.next()) {
        throw new IOException("row group " + block + " is missing");
      }
      return new LoadedGroup(reader);
    } catch (ParquetDecodingException e) {
      reader.close();
      if (isCrcMismatch(e)) {
        throw new DamagedPageException(group, damagedColumn(file, footer, wanted, group), e);
      }
      throw e;
    } catch (Exception e) {
      reader.close();
      throw e;
    }
  }

  /** parquet-mr's failure of a data or dictionary page's CRC check (it has no type of its own). */
  private static boolean isCrcMismatch(ParquetDecodingException e) {
    return String.valueOf(e.getMessage()).contains("CRC checksum verification failed");
  }

  /**
   * The path of the wanted column whose chunk in the row group fails its CRC check, or null: each
   * chunk is read again alone (parquet-mr's error does not say which), on this failure path only.
   */
  private static String damagedColumn(
      InputFile file, ParquetMetadata footer, Schema wanted, int group) {
    for (ColumnDescriptor column : footer.getFileMetaData().getSchema().getColumns()) {
      String top = column.getPath()[0];
      if (wanted != null && wanted.getFields().stream().noneMatch(f -> f.getName().equals(top))) {
        continue;
      }
      try (ParquetFileReader reader =
          ParquetBatchReader.openFile(file, footer, ParquetReadDefaults.checkingPageCrcs())) {
        reader.setRequestedSchema(List.of(column));
        reader.readRowGroup(group);
      } catch (ParquetDecodingException e) {
        if (isCrcMismatch(e)) {
          return String.join(".", column.getPath());
        }
      } catch (IOException | RuntimeException e) {
        // Another failure of this chunk; the damaged one may be another.
      }
    }
    return null;
  }

  /** One row group loaded into the reader's root; closing it frees the reader's memory. */
  private record LoadedGroup(ParquetBatchReader reader) implements BatchReader {
    @Override
    public boolean next() {
      return false;
    }

    @Override
    public VectorSchemaRoot root() {
      return reader.root();
    }

    @Override
    public void close() {
      reader.close();
    }
  }

  @Override
  public List<Long> blockRows(Source source, List<Long> batchRows) throws Exception {
    try (ParquetFileReader footer = ParquetBatchReader.openFile(buffer(source))) {
      return footer.getFooter().getBlocks().stream().map(BlockMetaData::getRowCount).toList();
    }
  }

  /**
   * The shard's bytes as a buffer, without copying them (a mapping of the local cache's copy is
   * read in place; {@link ShardCodec.Source#array} would copy it, for every row group the feed
   * reads).
   */
  private static ByteBuffer buffer(Source source) {
    return source.buffer() != null
        ? source.buffer()
        : source.arrow().nioBuffer(0, Math.toIntExact(source.arrow().capacity()));
  }

  @Override
  public boolean isPlainParquet() {
    return true;
  }
}
