package io.mlobj.arrow;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.SeekableReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;

/**
 * An Arrow IPC file reader over a direct buffer (a memory-mapped file) that loads record batches
 * without copying them: the vectors' buffers are slices of the file's memory. Arrow's own reader
 * copies every batch body into memory it allocates, which for a mapped file means one more copy of
 * every byte and the allocator's churn of fresh, zeroed chunks.
 *
 * <p>The slices keep the buffer reachable (so a mapping is not unmapped) until the vectors release
 * them; they count against the allocator like the copies they replace. Map files privately
 * (copy-on-write) so that a write through a vector can never reach the file.
 */
final class DirectIpcFileReader extends ArrowFileReader {
  private final ByteBuffer file;
  private final BufferAllocator allocator;

  /** Reads {@code file}'s remaining bytes, which must be a direct buffer. */
  DirectIpcFileReader(ByteBuffer file, BufferAllocator allocator) {
    super(
        new SeekableReadChannel(new ByteBufferChannel(file)),
        allocator,
        CommonsCompressionFactory.INSTANCE);
    if (!file.isDirect()) {
      throw new IllegalArgumentException("A zero-copy IPC read needs a direct buffer");
    }
    this.file = file.slice();
    this.allocator = allocator;
  }

  /** Loads a record batch of the file into the reader's root, as slices of the file's memory. */
  boolean loadZeroCopy(ArrowBlock block) throws IOException {
    prepareLoadNextBatch();
    long start = block.getOffset();
    long bodyStart = start + block.getMetadataLength();
    long end = bodyStart + block.getBodyLength();
    if (start < 0 || block.getMetadataLength() <= 0 || end > file.limit()) {
      throw new IOException(
          "the record batch at offset "
              + start
              + " ("
              + block.getMetadataLength()
              + " + "
              + block.getBodyLength()
              + " bytes) lies outside the file's "
              + file.limit()
              + " bytes");
    }
    MessageMetadataResult metadata =
        MessageSerializer.readMessage(
            new ReadChannel(
                new ByteBufferChannel(file.slice((int) start, block.getMetadataLength()))));
    if (metadata == null || metadata.headerType() != MessageHeader.RecordBatch) {
      throw new IOException("the block at offset " + start + " is not a record batch");
    }
    ArrowBuf body =
        allocator.wrapForeignAllocation(new FileRegion(file, bodyStart, block.getBodyLength()));
    ArrowRecordBatch batch;
    try {
      // Slices body into the batch's buffers (each retained) and releases body's own reference.
      batch = MessageSerializer.deserializeRecordBatch(metadata, body);
    } catch (IOException | RuntimeException e) {
      body.close();
      throw e;
    }
    loadRecordBatch(batch);
    return true;
  }

  /** A region of the file's memory, lent to Arrow; holding the buffer keeps a mapping mapped. */
  private static final class FileRegion extends ForeignAllocation {
    @SuppressWarnings("unused")
    private ByteBuffer file;

    FileRegion(ByteBuffer file, long offset, long size) {
      super(size, MemoryUtil.getByteBufferAddress(file) + offset);
      this.file = file;
    }

    @Override
    protected void release0() {
      file = null;
    }
  }
}
