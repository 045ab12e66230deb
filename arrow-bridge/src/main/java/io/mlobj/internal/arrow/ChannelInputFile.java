package io.mlobj.internal.arrow;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A Parquet {@link InputFile} over a seekable channel, e.g. one that fetches an object's bytes by
 * ranged reads as they are read: parquet-mr then reads the footer and the column chunks it needs,
 * not the whole file. Its streams share the channel's position, so one stream is read at a time,
 * and closing one leaves the channel open (its owner closes it): a reader may open another.
 */
final class ChannelInputFile implements InputFile {
  private final SeekableByteChannel channel;

  ChannelInputFile(SeekableByteChannel channel) {
    this.channel = channel;
  }

  @Override
  public long getLength() throws IOException {
    return channel.size();
  }

  @Override
  public SeekableInputStream newStream() {
    return new DelegatingSeekableInputStream(Channels.newInputStream(channel)) {
      @Override
      public long getPos() throws IOException {
        return channel.position();
      }

      @Override
      public void seek(long newPos) throws IOException {
        channel.position(newPos);
      }

      @Override
      public void close() {
        // The channel is its owner's to close.
      }
    };
  }
}
