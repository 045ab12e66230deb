package io.mlobj.feed.internal;

import io.mlobj.feed.FeedErrors;
import io.mlobj.feed.plan.SamplePlan;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The feed's memory model, checked before a stream starts: a stream holds the decoded blocks from
 * the first batch that needs each to the last (FeedStream closes the blocks of a finished window
 * before decoding the next window's), plus the batches being prepared, queued and sent. Each stream
 * reserves its peak for its lifetime from a server-wide budget (the Arrow memory cap less what
 * memory-mapped shards may take); a stream that does not fit is refused up front with an error
 * naming the settings to change, instead of failing mid-epoch on an Arrow allocation.
 */
final class StreamMemory {
  private final long budget;
  private long reserved;
  private int streams;

  /**
   * @param budget bytes of Arrow memory that decoded blocks and batches of all streams may use
   */
  StreamMemory(long budget) {
    this.budget = budget;
  }

  /** What a stream reserved; {@link #close()} returns it. */
  final class Reservation implements AutoCloseable {
    private final long bytes;
    private boolean closed;

    private Reservation(long bytes) {
      this.bytes = bytes;
    }

    @Override
    public void close() {
      synchronized (StreamMemory.this) {
        if (!closed) {
          closed = true;
          reserved -= bytes;
          streams--;
        }
      }
    }
  }

  /**
   * Reserves a stream's peak or refuses the stream.
   *
   * @throws io.mlobj.MlobjException naming {@code shuffle_buffer} and {@code --memory-cap} when the
   *     stream alone, or with the streams already running, exceeds the budget
   */
  synchronized Reservation reserve(String dataset, long version, int window, long bytes) {
    if (reserved + bytes > budget) {
      throw FeedErrors.memoryCapExceeded(
          dataset, version, window, bytes, reserved, streams, budget);
    }
    reserved += bytes;
    streams++;
    return new Reservation(bytes);
  }

  /**
   * The peak Arrow bytes of a stream that sends {@code samples} (global sample indexes per batch):
   * the largest set of blocks open at once (a block is open from its first batch to its last), plus
   * {@code batchesInFlight} output batches.
   */
  static long peak(
      long[][] samples,
      SamplePlan plan,
      Schema decoded,
      Schema output,
      int batchSize,
      int batchesInFlight) {
    int blocks = plan.blocks().size();
    int[] first = new int[blocks];
    int[] last = new int[blocks];
    java.util.Arrays.fill(first, -1);
    for (int m = 0; m < samples.length; m++) {
      for (long sample : samples[m]) {
        int b = plan.blockOf(sample);
        if (first[b] < 0) {
          first[b] = m;
        }
        last[b] = m;
      }
    }
    // Sweep: bytes of open blocks, changing at each block's first and after its last batch. Each
    // buffer of a block may waste up to one allocation segment (FeedServer's rounding policy),
    // which matters for small row groups.
    long perRow = bytesPerRow(decoded);
    long perBlock = (long) buffers(decoded) * FeedService.ALLOCATION_SEGMENT;
    long[] delta = new long[samples.length + 1];
    for (int b = 0; b < blocks; b++) {
      if (first[b] >= 0) {
        long bytes = plan.blocks().get(b).rows() * perRow + perBlock;
        delta[first[b]] += bytes;
        delta[last[b] + 1] -= bytes;
      }
    }
    long open = 0;
    long maxBytes = 0;
    for (long d : delta) {
      open += d;
      maxBytes = Math.max(maxBytes, open);
    }
    return maxBytes
        + batchesInFlight
            * ((long) batchSize * bytesPerRow(output)
                + buffers(output) * FeedService.ALLOCATION_SEGMENT);
  }

  /** The Arrow buffers of a batch of the schema (validity, offsets, values; children too). */
  static int buffers(Schema schema) {
    int n = 0;
    for (Field field : schema.getFields()) {
      n += buffers(field);
    }
    return n;
  }

  private static int buffers(Field field) {
    ArrowType type = field.getType();
    if (type instanceof ArrowType.ExtensionType ext) {
      type = ext.storageType();
    }
    int children = 0;
    for (Field child : field.getChildren()) {
      children += buffers(child);
    }
    return switch (type.getTypeID()) {
      case FixedSizeList, Struct -> 1 + children;
      case List, LargeList, Map -> 2 + children;
      case Utf8, Binary, LargeUtf8, LargeBinary -> 3;
      default -> 2;
    };
  }

  /**
   * Arrow bytes per row of the fixed-width parts of a schema (values and validity bits; offsets of
   * variable-width columns). Variable-width payloads are not known before decoding and are not
   * counted.
   */
  static long bytesPerRow(Schema schema) {
    double bytes = 0;
    for (Field field : schema.getFields()) {
      bytes += bytesPerValue(field);
    }
    return (long) Math.ceil(bytes);
  }

  private static double bytesPerValue(Field field) {
    ArrowType type = field.getType();
    if (type instanceof ArrowType.ExtensionType ext) {
      type = ext.storageType();
    }
    double validity = 1.0 / 8;
    if (type instanceof ArrowType.FixedSizeList list) {
      return validity + list.getListSize() * bytesPerValue(field.getChildren().get(0));
    }
    int bits =
        switch (type.getTypeID()) {
          case Int -> ((ArrowType.Int) type).getBitWidth();
          case FloatingPoint ->
              switch (((ArrowType.FloatingPoint) type).getPrecision()) {
                case HALF -> 16;
                case SINGLE -> 32;
                case DOUBLE -> 64;
              };
          case Bool -> 1;
          case Date, Time, Timestamp, Duration, Interval -> 64;
          case FixedSizeBinary -> 8 * ((ArrowType.FixedSizeBinary) type).getByteWidth();
          case Decimal -> ((ArrowType.Decimal) type).getBitWidth();
          case Utf8, Binary, List -> 32; // offsets
          case LargeUtf8, LargeBinary, LargeList -> 64;
          default -> 0;
        };
    return validity + bits / 8.0;
  }
}
