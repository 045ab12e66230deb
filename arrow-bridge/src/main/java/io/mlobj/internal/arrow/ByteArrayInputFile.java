package io.mlobj.internal.arrow;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.parquet.bytes.ByteBufferAllocator;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.ParquetFileRange;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A Parquet {@link InputFile} over bytes already fetched (and checksummed) from the store: a heap
 * array, or any buffer (a memory mapping of the local cache's copy, too).
 *
 * <p>Its streams serve parquet-mr's vectored reads ({@link SeekableInputStream#readVectored}) with
 * slices of the buffer, so a row group's column chunks are read where they lie instead of being
 * copied into buffers of their own (with {@link ParquetReadDefaults#options()}, which enables
 * vectored reads). The slices share the buffer: nothing may write to it while they are in use.
 */
public final class ByteArrayInputFile implements InputFile {
  private final ByteBuffer bytes;

  public ByteArrayInputFile(byte[] bytes) {
    this(ByteBuffer.wrap(bytes));
  }

  /** A file of the buffer's remaining bytes (its position and limit are not changed). */
  public ByteArrayInputFile(ByteBuffer bytes) {
    this.bytes = bytes.slice();
  }

  @Override
  public long getLength() {
    return bytes.capacity();
  }

  @Override
  public SeekableInputStream newStream() {
    return new BufferStream(bytes.duplicate());
  }

  /** Reads from its own duplicate of the buffer, whose position is the stream's. */
  private static final class BufferStream extends SeekableInputStream {
    private final ByteBuffer buffer;

    BufferStream(ByteBuffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public long getPos() {
      return buffer.position();
    }

    @Override
    public void seek(long newPos) throws IOException {
      if (newPos < 0 || newPos > buffer.limit()) {
        throw new EOFException(
            "Cannot seek to " + newPos + " in Parquet data of " + buffer.limit() + " bytes");
      }
      buffer.position((int) newPos);
    }

    @Override
    public int read() {
      return buffer.hasRemaining() ? buffer.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (!buffer.hasRemaining()) {
        return -1;
      }
      int n = Math.min(len, buffer.remaining());
      buffer.get(b, off, n);
      return n;
    }

    @Override
    public long skip(long n) {
      int k = (int) Math.max(0, Math.min(n, buffer.remaining()));
      buffer.position(buffer.position() + k);
      return k;
    }

    @Override
    public int available() {
      return buffer.remaining();
    }

    @Override
    public void readFully(byte[] b) throws IOException {
      readFully(b, 0, b.length);
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws IOException {
      if (len > buffer.remaining()) {
        throw new EOFException(
            "Parquet data ends early: wanted " + len + " bytes at " + buffer.position());
      }
      buffer.get(b, off, len);
    }

    @Override
    public int read(ByteBuffer buf) {
      if (!buf.hasRemaining()) {
        return 0;
      }
      if (!buffer.hasRemaining()) {
        return -1;
      }
      int n = Math.min(buf.remaining(), buffer.remaining());
      buf.put(buf.position(), buffer, buffer.position(), n);
      buf.position(buf.position() + n);
      buffer.position(buffer.position() + n);
      return n;
    }

    @Override
    public void readFully(ByteBuffer buf) throws IOException {
      if (buf.remaining() > buffer.remaining()) {
        throw new EOFException("Parquet data ends early at " + buffer.position());
      }
      read(buf);
    }

    /** Always: the ranges are slices of the buffer, whatever the allocator. */
    @Override
    public boolean readVectoredAvailable(ByteBufferAllocator allocator) {
      return true;
    }

    /**
     * Completes each range at once with a slice of the buffer, copying nothing. (Not a read-only
     * slice: that would hide the array and make Arrow and the codecs copy byte by byte.)
     */
    @Override
    public void readVectored(List<ParquetFileRange> ranges, ByteBufferAllocator allocator)
        throws IOException {
      for (ParquetFileRange range : ranges) {
        long end = range.getOffset() + range.getLength();
        if (range.getOffset() < 0 || range.getLength() < 0 || end > buffer.limit()) {
          throw new EOFException(
              "Parquet data ends early: a column chunk at "
                  + range.getOffset()
                  + " of "
                  + range.getLength()
                  + " bytes lies past the file's "
                  + buffer.limit()
                  + " bytes");
        }
        range.setDataReadFuture(
            CompletableFuture.completedFuture(
                buffer.slice((int) range.getOffset(), range.getLength())));
      }
    }
  }
}
