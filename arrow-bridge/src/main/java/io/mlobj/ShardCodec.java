package io.mlobj;

import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.ShardEncoder;
import io.mlobj.internal.arrow.ByteBuffers;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Service-provider interface: everything mlobj does with the files of one {@link ShardFormat}
 * (encode, decode, read one block by range, describe a file for import). Implementations are found
 * with {@link java.util.ServiceLoader} (list the class in {@code
 * META-INF/services/io.mlobj.ShardCodec}); nothing else in mlobj or its adapters depends on the
 * format, so a codec on the class path is written and read by Spark, Flink, the trainer feed and
 * the CLI as the built-in ones are. Column statistics come from the decoded Arrow batches and need
 * nothing from the codec. Implementations are thread-safe and hold no state of their own beyond
 * what they keep of objects read by range under the name the caller gives their content (see {@link
 * #openBlock(SeekableByteChannel, String, Schema, BufferAllocator, int)}). Stable SPI: methods are
 * added with defaults.
 */
public interface ShardCodec {
  /** The format this codec reads and writes. */
  ShardFormat format();

  /** Other names {@link ShardFormat#parse} accepts for the format (e.g. {@code ipc}). */
  default List<String> aliases() {
    return List.of();
  }

  /** Lower-case file name endings of files of this format, for {@code mlobj import}. */
  default List<String> fileExtensions() {
    return List.of("." + format().extension());
  }

  /**
   * Checks a compression name ({@code null}: the codec's default) before anything is written.
   *
   * @throws MlobjException {@code INVALID_ARGUMENT} naming the accepted values
   */
  void checkCompression(String compression);

  /**
   * A new encoder of one shard file, in memory.
   *
   * @param schema the batches' schema
   * @param compression a name accepted by {@link #checkCompression}, or null for the default
   * @param blockBytes target size of one block (e.g. a Parquet row group), where the format has
   *     blocks of its own choosing
   * @param allocator Arrow memory the encoder may use; it closes what it allocates
   * @param initialCapacity a hint for the output buffer, in bytes
   */
  ShardEncoder newEncoder(
      Schema schema,
      String compression,
      long blockBytes,
      BufferAllocator allocator,
      int initialCapacity);

  /**
   * Opens a reader over a whole fetched shard. The caller closes the reader; the reader does not
   * release {@code source}.
   *
   * @param schema the columns to return (a file lacking one returns it as nulls), or null for all
   * @param firstBlock index of the first block (row group, record batch) to read
   * @param blockCount number of blocks, -1 for all from {@code firstBlock}
   * @param batchRows most rows per batch, where the format can split its blocks
   * @throws Exception any decoding failure; callers report it naming the shard
   */
  BatchReader open(
      Source source,
      Schema schema,
      BufferAllocator allocator,
      int firstBlock,
      int blockCount,
      int batchRows)
      throws Exception;

  /**
   * Rows per block of a file, for import: the rows of the batches {@link #open} returned unless the
   * format's blocks differ from its batches (Parquet row groups).
   */
  default List<Long> blockRows(Source source, List<Long> batchRows) throws Exception {
    return batchRows;
  }

  /** Whether {@link #openBlock} reads single blocks by range. */
  default boolean readsBlocksByRange() {
    return false;
  }

  /**
   * Reads one block by ranged reads of the object, without fetching it whole (a shard's CRC32C then
   * cannot be verified: check what the format itself can, e.g. Parquet page CRCs). The reader's
   * root holds the block at once; {@code next()} returns false. The channel need not stay open once
   * this returns: the caller may close it.
   *
   * @return the block, or null when the file lacks a wanted column (read the shard whole instead)
   * @throws Exception any decoding failure, or a missing block
   */
  default BatchReader openBlock(
      SeekableByteChannel object, Schema wanted, BufferAllocator allocator, int block)
      throws Exception {
    throw new UnsupportedOperationException(format() + " shards are not read by range");
  }

  /**
   * Like {@link #openBlock(SeekableByteChannel, Schema, BufferAllocator, int)}, for an object whose
   * content has a name: a codec may keep what it parsed of the object (a footer) under that name
   * and use it for later blocks instead of reading it again. The name changes whenever the content
   * may have (the kernel passes the object's URI with its size and CRC32C from the manifest). The
   * default ignores the name.
   *
   * @param content the name of the object's content, or null to keep nothing
   */
  default BatchReader openBlock(
      SeekableByteChannel object,
      String content,
      Schema wanted,
      BufferAllocator allocator,
      int block)
      throws Exception {
    return openBlock(object, wanted, allocator, block);
  }

  /**
   * Whether shards are plain Apache Parquet files that any Parquet reader (an engine's own) may
   * read directly.
   */
  default boolean isPlainParquet() {
    return false;
  }

  /**
   * The bytes of a whole shard: a buffer (heap, or a direct mapping) or Arrow memory (a mapping
   * wrapped so that vectors may slice it without a copy). Exactly one is set.
   *
   * @param buffer the bytes, or null
   * @param arrow the bytes as Arrow memory, or null
   */
  record Source(ByteBuffer buffer, ArrowBuf arrow) {
    /** Bytes on the heap. */
    public static Source of(byte[] bytes) {
      return new Source(ByteBuffer.wrap(bytes), null);
    }

    /** A buffer, heap or direct. */
    public static Source of(ByteBuffer buffer) {
      return new Source(buffer, null);
    }

    /** Arrow memory. */
    public static Source of(ArrowBuf arrow) {
      return new Source(null, arrow);
    }

    /** The bytes as an array (a copy unless they are a whole heap array). */
    public byte[] array() {
      return ByteBuffers.toArray(
          arrow != null ? arrow.nioBuffer(0, (int) arrow.capacity()) : buffer);
    }
  }
}
