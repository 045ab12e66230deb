package io.mlobj.internal.arrow;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Decodes Parquet's RLE / bit-packed hybrid encoding (definition and repetition levels, dictionary
 * indices) a whole run at a time. parquet-mr's {@code RunLengthBitPackingHybridDecoder} returns one
 * value per call, which cost about half of the CPU time of reading dictionary-encoded tensor pages.
 * Besides expanding values into an {@code int[]} ({@link #decode}), the runs can be consumed
 * without expanding them: counting the levels equal to the maximum ({@link #countEqual}, a page
 * without nulls is one RLE run), checking a fixed-size list's repetition levels ({@link
 * #fixedListPhase}) and looking dictionary indices up as they are unpacked ({@link #gather}).
 *
 * <p>Format (Parquet's Encodings.md): a sequence of runs, each introduced by a ULEB128 header; an
 * even header {@code h} is an RLE run of {@code h >>> 1} copies of one value stored in {@code
 * ceil(bitWidth / 8)} little-endian bytes; an odd header is {@code h >>> 1} groups of 8 values
 * bit-packed least significant bit first ({@code bitWidth} bytes per group).
 */
public final class RleHybridDecoder {
  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private RleHybridDecoder() {}

  /**
   * Decodes {@code count} values starting at the buffer's position into {@code out[0..count)} and
   * advances the position past the runs read (a final bit-packed group may hold padding values,
   * which are skipped).
   *
   * @throws IllegalStateException if the buffer ends before {@code count} values
   */
  public static void decode(ByteBuffer in, int bitWidth, int[] out, int count) {
    ByteOrder order = in.order();
    in.order(ByteOrder.LITTLE_ENDIAN);
    try {
      decodeLe(in, bitWidth, out, count);
    } finally {
      in.order(order);
    }
  }

  private static void decodeLe(ByteBuffer in, int bitWidth, int[] out, int count) {
    checkWidth(bitWidth);
    long mask = mask(bitWidth);
    int n = 0;
    while (n < count) {
      int header = nextRun(in, bitWidth, n, count);
      if ((header & 1) == 0) {
        int end = Math.min(count, n + (header >>> 1));
        Arrays.fill(out, n, end, readRleValue(in, bitWidth));
        n = end;
      } else {
        int from = in.position();
        int take = Math.min((header >>> 1) * 8, count - n);
        if (bitWidth == 8) {
          for (int i = 0; i < take; i++) {
            out[n + i] = in.get(from + i) & 0xff;
          }
        } else {
          int limit = in.limit();
          for (int i = 0; i < take; i++) {
            out[n + i] = unpacked(in, from, limit, i, bitWidth, mask);
          }
        }
        in.position(from + (header >>> 1) * bitWidth);
        n += take;
      }
    }
  }

  /**
   * Counts how many of the next {@code count} values equal {@code value} (a page's definition
   * levels at their maximum: its non-null values) without expanding them, and advances the buffer
   * past the runs read. A page without nulls is usually one RLE run: one step.
   *
   * @throws IllegalStateException if the buffer ends before {@code count} values
   */
  public static int countEqual(ByteBuffer in, int bitWidth, int count, int value) {
    ByteOrder order = in.order();
    in.order(ByteOrder.LITTLE_ENDIAN);
    try {
      return countEqualLe(in, bitWidth, count, value);
    } finally {
      in.order(order);
    }
  }

  private static int countEqualLe(ByteBuffer in, int bitWidth, int count, int value) {
    checkWidth(bitWidth);
    long mask = mask(bitWidth);
    int n = 0;
    int equal = 0;
    while (n < count) {
      int header = nextRun(in, bitWidth, n, count);
      if ((header & 1) == 0) {
        int take = Math.min(count - n, header >>> 1);
        if (readRleValue(in, bitWidth) == value) {
          equal += take;
        }
        n += take;
      } else {
        int from = in.position();
        int limit = in.limit();
        int take = Math.min((header >>> 1) * 8, count - n);
        for (int i = 0; i < take; i++) {
          if (unpacked(in, from, limit, i, bitWidth, mask) == value) {
            equal++;
          }
        }
        in.position(from + (header >>> 1) * bitWidth);
        n += take;
      }
    }
    return equal;
  }

  /**
   * Decodes {@code count} dictionary indices and writes the entries they name into {@code out}, in
   * one pass (no array of indices in between); advances the buffer past the runs read.
   *
   * @param dictionary the entries, {@code width} little-endian bytes each
   * @param width 1, 2, 4 or 8
   * @param out room for {@code count * width} bytes
   * @throws IllegalStateException if the buffer ends before {@code count} indices
   * @throws IndexOutOfBoundsException if an index lies past the dictionary's end
   */
  public static void gather(
      ByteBuffer in, int bitWidth, int count, byte[] dictionary, int width, byte[] out) {
    ByteOrder order = in.order();
    in.order(ByteOrder.LITTLE_ENDIAN);
    try {
      gatherLe(in, bitWidth, count, dictionary, width, out);
    } finally {
      in.order(order);
    }
  }

  private static void gatherLe(
      ByteBuffer in, int bitWidth, int count, byte[] dictionary, int width, byte[] out) {
    checkWidth(bitWidth);
    long mask = mask(bitWidth);
    int n = 0;
    while (n < count) {
      int header = nextRun(in, bitWidth, n, count);
      if ((header & 1) == 0) {
        int end = Math.min(count, n + (header >>> 1));
        fill(dictionary, readRleValue(in, bitWidth), width, out, n, end);
        n = end;
      } else {
        int from = in.position();
        int take = Math.min((header >>> 1) * 8, count - n);
        if (bitWidth == 8) {
          gatherBytes(in, from, take, dictionary, width, out, n);
        } else if (in.hasArray() && width == 4) {
          // The common case (float and int32 tensors off the heap) read from the array itself:
          // an array view read costs less per value than a buffer's.
          gatherPacked4(
              in.array(),
              in.arrayOffset() + from,
              in.arrayOffset() + in.limit(),
              take,
              bitWidth,
              mask,
              dictionary,
              out,
              n);
        } else {
          gatherPacked(in, from, take, bitWidth, mask, dictionary, width, out, n);
        }
        in.position(from + (header >>> 1) * bitWidth);
        n += take;
      }
    }
  }

  /** Repeats one dictionary entry into {@code out} for values {@code [from, end)}. */
  private static void fill(byte[] dict, int index, int width, byte[] out, int from, int end) {
    switch (width) {
      case 1 -> Arrays.fill(out, from, end, dict[index]);
      case 2 -> {
        short v = (short) SHORT.get(dict, index * 2);
        for (int i = from; i < end; i++) {
          SHORT.set(out, i * 2, v);
        }
      }
      case 4 -> {
        int v = (int) INT.get(dict, index * 4);
        for (int i = from; i < end; i++) {
          INT.set(out, i * 4, v);
        }
      }
      default -> {
        long v = (long) LONG.get(dict, index * 8);
        for (int i = from; i < end; i++) {
          LONG.set(out, i * 8, v);
        }
      }
    }
  }

  /** Indices of 8 bits: one byte each (dictionaries of up to 256 entries, pyarrow's images). */
  private static void gatherBytes(
      ByteBuffer in, int from, int take, byte[] dict, int width, byte[] out, int at) {
    switch (width) {
      case 1 -> {
        for (int i = 0; i < take; i++) {
          out[at + i] = dict[in.get(from + i) & 0xff];
        }
      }
      case 2 -> {
        for (int i = 0; i < take; i++) {
          SHORT.set(out, (at + i) * 2, (short) SHORT.get(dict, (in.get(from + i) & 0xff) * 2));
        }
      }
      case 4 -> {
        for (int i = 0; i < take; i++) {
          INT.set(out, (at + i) * 4, (int) INT.get(dict, (in.get(from + i) & 0xff) * 4));
        }
      }
      default -> {
        for (int i = 0; i < take; i++) {
          LONG.set(out, (at + i) * 8, (long) LONG.get(dict, (in.get(from + i) & 0xff) * 8));
        }
      }
    }
  }

  private static void gatherPacked4(
      byte[] in,
      int from,
      int limit,
      int take,
      int bitWidth,
      long mask,
      byte[] dict,
      byte[] out,
      int at) {
    for (int i = 0; i < take; i++) {
      long bit = (long) i * bitWidth;
      int pos = from + (int) (bit >>> 3);
      long word;
      if (pos + 8 <= limit) {
        word = (long) LONG.get(in, pos);
      } else {
        word = 0;
        for (int b = 0; pos + b < limit && b < 8; b++) {
          word |= (long) (in[pos + b] & 0xff) << (8 * b);
        }
      }
      int index = (int) ((word >>> (bit & 7)) & mask);
      INT.set(out, (at + i) * 4, (int) INT.get(dict, index * 4));
    }
  }

  private static void gatherPacked(
      ByteBuffer in,
      int from,
      int take,
      int bitWidth,
      long mask,
      byte[] dict,
      int width,
      byte[] out,
      int at) {
    int limit = in.limit();
    switch (width) {
      case 1 -> {
        for (int i = 0; i < take; i++) {
          out[at + i] = dict[unpacked(in, from, limit, i, bitWidth, mask)];
        }
      }
      case 2 -> {
        for (int i = 0; i < take; i++) {
          int index = unpacked(in, from, limit, i, bitWidth, mask);
          SHORT.set(out, (at + i) * 2, (short) SHORT.get(dict, index * 2));
        }
      }
      case 4 -> {
        for (int i = 0; i < take; i++) {
          int index = unpacked(in, from, limit, i, bitWidth, mask);
          INT.set(out, (at + i) * 4, (int) INT.get(dict, index * 4));
        }
      }
      default -> {
        for (int i = 0; i < take; i++) {
          int index = unpacked(in, from, limit, i, bitWidth, mask);
          LONG.set(out, (at + i) * 8, (long) LONG.get(dict, index * 8));
        }
      }
    }
  }

  /**
   * Checks the repetition levels (maximum level 1, so bit width 1) of a fixed-size list column
   * without expanding them: every row must start (level 0) exactly {@code perRow} levels after the
   * previous one. An RLE run is checked as a whole (a tensor's long runs of 1s cost one step);
   * bit-packed groups a byte (8 levels) at a time where rows are longer than 8, else value by
   * value. Advances the buffer past the runs read.
   *
   * @param phase the position within a row of the first level (0 = a row starts), carried over from
   *     the previous page, which may have ended inside a row
   * @return the position within a row after these {@code count} levels, or -1 if a row has a
   *     different number of levels
   * @throws IllegalStateException if the buffer ends before {@code count} levels
   */
  public static int fixedListPhase(ByteBuffer in, int count, int perRow, int phase) {
    int n = 0;
    while (n < count) {
      int header = nextRun(in, 1, n, count);
      if ((header & 1) == 0) {
        int run = Math.min(header >>> 1, count - n);
        int value = readRleValue(in, 1);
        if (run == 0) {
          continue;
        }
        if (value == 0) {
          // Each level of the run starts a row: only one-element rows allow more than one.
          if (phase != 0 || run > 1 && perRow > 1) {
            return -1;
          }
          phase = perRow == 1 ? 0 : 1;
        } else {
          // The run continues the current row and must not reach past its end.
          if (value != 1 || phase == 0 || phase + run > perRow) {
            return -1;
          }
          phase = phase + run == perRow ? 0 : phase + run;
        }
        n += run;
      } else {
        int from = in.position();
        int take = Math.min((header >>> 1) * 8, count - n);
        int i = 0;
        if (perRow > 8) {
          // A byte of 8 levels holds at most one row start: compare it whole with the byte
          // expected (all 1s but a 0 where the next row starts, if within these 8).
          for (; i + 8 <= take; i += 8) {
            int toStart = phase == 0 ? 0 : perRow - phase;
            int expected = toStart < 8 ? 0xff & ~(1 << toStart) : 0xff;
            if ((in.get(from + (i >>> 3)) & 0xff) != expected) {
              return -1;
            }
            phase += 8;
            if (phase >= perRow) {
              phase -= perRow;
            }
          }
        }
        for (; i < take; i++) {
          boolean rowStart = phase == 0;
          if (++phase == perRow) {
            phase = 0;
          }
          boolean level0 = (in.get(from + (i >>> 3)) & (1 << (i & 7))) == 0;
          if (level0 != rowStart) {
            return -1;
          }
        }
        in.position(from + (header >>> 1));
        n += take;
      }
    }
    return phase;
  }

  /**
   * Reads the next run's header (positioning the buffer at the run's value or packed bytes) and
   * checks that the run's bytes are there; {@code n} of {@code count} values were read so far.
   */
  private static int nextRun(ByteBuffer in, int bitWidth, int n, int count) {
    if (!in.hasRemaining()) {
      throw new IllegalStateException(
          "Cannot decode RLE/bit-packed values: the data ends after " + n + " of " + count);
    }
    int header = readUleb128(in);
    int bytes = (header & 1) == 0 ? (bitWidth + 7) / 8 : (header >>> 1) * bitWidth;
    if (in.remaining() < bytes) {
      throw new IllegalStateException(
          "Cannot decode RLE/bit-packed values: a "
              + ((header & 1) == 0 ? "RLE" : "bit-packed")
              + " run needs "
              + bytes
              + " bytes, "
              + in.remaining()
              + " remain");
    }
    return header;
  }

  /**
   * Value {@code i} of a bit-packed run starting at {@code from} (the buffer in little-endian
   * order): one unaligned 8-byte read where the buffer has 8 bytes left there (a value spans at
   * most 5 bytes: 7 bits of offset plus 32 of value), byte by byte near the end.
   */
  private static int unpacked(ByteBuffer in, int from, int limit, int i, int bitWidth, long mask) {
    long bit = (long) i * bitWidth;
    int at = from + (int) (bit >>> 3);
    long word;
    if (at + 8 <= limit) {
      word = in.getLong(at);
    } else {
      word = 0;
      for (int b = 0; at + b < limit && b < 8; b++) {
        word |= (long) (in.get(at + b) & 0xff) << (8 * b);
      }
    }
    return (int) ((word >>> (bit & 7)) & mask);
  }

  private static void checkWidth(int bitWidth) {
    if (bitWidth < 0 || bitWidth > 32) {
      throw new IllegalStateException(
          "Cannot decode RLE/bit-packed values of bit width " + bitWidth);
    }
  }

  private static long mask(int bitWidth) {
    return (1L << bitWidth) - 1;
  }

  private static int readUleb128(ByteBuffer in) {
    int value = 0;
    int shift = 0;
    while (true) {
      int b = in.get() & 0xff;
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
      shift += 7;
      if (shift > 28) {
        throw new IllegalStateException("Cannot decode RLE/bit-packed values: bad run header");
      }
    }
  }

  private static int readRleValue(ByteBuffer in, int bitWidth) {
    int value = 0;
    for (int i = 0, bytes = (bitWidth + 7) / 8; i < bytes; i++) {
      value |= (in.get() & 0xff) << (8 * i);
    }
    return value;
  }
}
