package io.mlobj.internal.arrow;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * parquet-mr's codec factory with Snappy pages (the default codec) decompressed in one call from
 * the page's bytes into an array of the page's size. parquet-mr's own path streams them through
 * Hadoop's decompressor stream: the compressed bytes are copied twice and the output once more,
 * which showed as a tenth of the decode samples. Snappy blocks in Parquet are raw (unframed)
 * blocks, as {@link Snappy#uncompress(byte[], int, int, byte[], int)} reads them. Every other
 * codec, and every compressor, is parquet-mr's.
 */
final class PageDecompressors implements CompressionCodecFactory {
  private final CompressionCodecFactory delegate;

  PageDecompressors(CompressionCodecFactory delegate) {
    this.delegate = delegate;
  }

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codecName) {
    return delegate.getCompressor(codecName);
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codecName) {
    return codecName == CompressionCodecName.SNAPPY
        ? SnappyPages.INSTANCE
        : delegate.getDecompressor(codecName);
  }

  @Override
  public void release() {
    delegate.release();
  }

  /** Stateless: one instance serves every reader. */
  private static final class SnappyPages implements BytesInputDecompressor {
    static final SnappyPages INSTANCE = new SnappyPages();

    @Override
    public BytesInput decompress(BytesInput bytes, int decompressedSize) throws IOException {
      ByteBuffer in = bytes.toByteBuffer();
      byte[] out = new byte[decompressedSize];
      int n;
      if (in.hasArray()) {
        n = Snappy.uncompress(in.array(), in.arrayOffset() + in.position(), in.remaining(), out, 0);
      } else {
        byte[] compressed = new byte[in.remaining()];
        in.duplicate().get(compressed);
        n = Snappy.uncompress(compressed, 0, compressed.length, out, 0);
      }
      if (n != decompressedSize) {
        throw new IOException(
            "A Snappy page decompressed to " + n + " bytes, its header says " + decompressedSize);
      }
      return BytesInput.from(out);
    }

    @Override
    public void decompress(
        ByteBuffer input, int compressedSize, ByteBuffer output, int decompressedSize)
        throws IOException {
      ByteBuffer in = input.slice(input.position(), compressedSize);
      BytesInput decompressed = decompress(BytesInput.from(in), decompressedSize);
      output.put(decompressed.toByteBuffer());
      input.position(input.position() + compressedSize);
    }

    @Override
    public void release() {
      // Nothing held.
    }
  }
}
