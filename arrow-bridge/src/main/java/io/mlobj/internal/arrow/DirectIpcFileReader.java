package io.mlobj.internal.arrow;

import java.io.IOException;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.SeekableReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;

/**
 * An Arrow IPC file reader over a file in Arrow memory (a memory-mapped file) that loads record
 * batches without copying them: the vectors' buffers are slices of the file's memory. Arrow's own
 * reader copies every batch body into memory it allocates, which for a mapped file means one more
 * copy of every byte and the allocator's churn of fresh, zeroed chunks.
 *
 * <p>The reader holds a reference to the file's buffer until it is closed, and each loaded vector
 * holds its own, so the memory stays valid exactly as long as it is used. Map files privately
 * (copy-on-write) so that a write through a vector can never reach the file.
 */
public final class DirectIpcFileReader extends ArrowFileReader {
  private final ArrowBuf file;

  /** Reads a whole file held in {@code file}, taking a reference of its own to it. */
  public DirectIpcFileReader(ArrowBuf file, BufferAllocator allocator) {
    super(
        new SeekableReadChannel(new ByteBufferChannel(file.nioBuffer(0, (int) file.capacity()))),
        allocator,
        CommonsCompressionFactory.INSTANCE);
    file.getReferenceManager().retain();
    this.file = file;
  }

  /** Loads a record batch of the file into the reader's root, as slices of the file's memory. */
  @Override
  public boolean loadRecordBatch(ArrowBlock block) throws IOException {
    prepareLoadNextBatch();
    long start = block.getOffset();
    long bodyStart = start + block.getMetadataLength();
    long end = bodyStart + block.getBodyLength();
    if (start < 0 || block.getMetadataLength() <= 0 || end > file.capacity()) {
      throw new IOException(
          "the record batch at offset "
              + start
              + " ("
              + block.getMetadataLength()
              + " + "
              + block.getBodyLength()
              + " bytes) lies outside the file's "
              + file.capacity()
              + " bytes");
    }
    MessageMetadataResult metadata =
        MessageSerializer.readMessage(
            new ReadChannel(
                new ByteBufferChannel(file.nioBuffer(start, block.getMetadataLength()))));
    if (metadata == null || metadata.headerType() != MessageHeader.RecordBatch) {
      throw new IOException("the block at offset " + start + " is not a record batch");
    }
    ArrowBuf body = file.slice(bodyStart, block.getBodyLength());
    // Deserializing retains a slice of body per vector buffer and releases one reference of body.
    body.getReferenceManager().retain();
    ArrowRecordBatch batch;
    try {
      batch = MessageSerializer.deserializeRecordBatch(metadata, body);
    } catch (IOException | RuntimeException e) {
      body.getReferenceManager().release();
      throw e;
    }
    loadRecordBatch(batch);
    return true;
  }

  @Override
  protected void closeReadSource() throws IOException {
    try {
      super.closeReadSource();
    } finally {
      file.getReferenceManager().release();
    }
  }
}
