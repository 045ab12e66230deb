package io.mlobj.internal.arrow;

import java.nio.ByteBuffer;

/**
 * Decodes Parquet's RLE / bit-packed hybrid encoding (definition and repetition levels, dictionary
 * indices) a whole run at a time into an {@code int[]}. parquet-mr's {@code
 * RunLengthBitPackingHybridDecoder} returns one value per call, which cost about half of the CPU
 * time of reading dictionary-encoded tensor pages; filling an array per run does not.
 *
 * <p>Format (Parquet's Encodings.md): a sequence of runs, each introduced by a ULEB128 header; an
 * even header {@code h} is an RLE run of {@code h >>> 1} copies of one value stored in {@code
 * ceil(bitWidth / 8)} little-endian bytes; an odd header is {@code h >>> 1} groups of 8 values
 * bit-packed least significant bit first ({@code bitWidth} bytes per group).
 */
public final class RleHybridDecoder {
  private RleHybridDecoder() {}

  /**
   * Decodes {@code count} values starting at the buffer's position into {@code out[0..count)} and
   * advances the position past the runs read (a final bit-packed group may hold padding values,
   * which are skipped).
   *
   * @throws IllegalStateException if the buffer ends before {@code count} values
   */
  public static void decode(ByteBuffer in, int bitWidth, int[] out, int count) {
    if (bitWidth < 0 || bitWidth > 32) {
      throw new IllegalStateException(
          "Cannot decode RLE/bit-packed values of bit width " + bitWidth);
    }
    int n = 0;
    while (n < count) {
      if (!in.hasRemaining()) {
        throw new IllegalStateException(
            "Cannot decode RLE/bit-packed values: the data ends after " + n + " of " + count);
      }
      int header = readUleb128(in);
      if ((header & 1) == 0) {
        int run = header >>> 1;
        int value = readRleValue(in, bitWidth);
        int end = Math.min(count, n + run);
        java.util.Arrays.fill(out, n, end, value);
        n = end;
      } else {
        int values = (header >>> 1) * 8;
        int bytes = (header >>> 1) * bitWidth;
        if (in.remaining() < bytes) {
          throw new IllegalStateException(
              "Cannot decode RLE/bit-packed values: a bit-packed run needs "
                  + bytes
                  + " bytes, "
                  + in.remaining()
                  + " remain");
        }
        int take = Math.min(values, count - n);
        unpack(in, in.position(), bitWidth, out, n, take);
        in.position(in.position() + bytes);
        n += take;
      }
    }
  }

  /** Receives decoded values a run at a time. */
  @FunctionalInterface
  public interface RunConsumer {
    /** Values {@code [start, start + length)} all equal {@code value}. */
    void accept(int start, int length, int value);
  }

  /**
   * Decodes {@code count} values like {@link #decode}, handing them to {@code consumer} a run at a
   * time instead of writing every value: an RLE run is one call, each bit-packed value is its own
   * call. For levels that are mostly long runs (the repetition levels of tensors), this costs per
   * run, not per value.
   *
   * @throws IllegalStateException if the buffer ends before {@code count} values
   */
  public static void forEachRun(ByteBuffer in, int bitWidth, int count, RunConsumer consumer) {
    if (bitWidth < 0 || bitWidth > 32) {
      throw new IllegalStateException(
          "Cannot decode RLE/bit-packed values of bit width " + bitWidth);
    }
    int[] packed = new int[0];
    int n = 0;
    while (n < count) {
      if (!in.hasRemaining()) {
        throw new IllegalStateException(
            "Cannot decode RLE/bit-packed values: the data ends after " + n + " of " + count);
      }
      int header = readUleb128(in);
      if ((header & 1) == 0) {
        int run = Math.min(header >>> 1, count - n);
        int value = readRleValue(in, bitWidth);
        if (run > 0) {
          consumer.accept(n, run, value);
        }
        n += run;
      } else {
        int values = (header >>> 1) * 8;
        int bytes = (header >>> 1) * bitWidth;
        if (in.remaining() < bytes) {
          throw new IllegalStateException(
              "Cannot decode RLE/bit-packed values: a bit-packed run needs "
                  + bytes
                  + " bytes, "
                  + in.remaining()
                  + " remain");
        }
        int take = Math.min(values, count - n);
        if (packed.length < take) {
          packed = new int[take];
        }
        unpack(in, in.position(), bitWidth, packed, 0, take);
        in.position(in.position() + bytes);
        for (int i = 0; i < take; i++) {
          consumer.accept(n + i, 1, packed[i]);
        }
        n += take;
      }
    }
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

  private static void unpack(ByteBuffer in, int from, int bitWidth, int[] out, int at, int count) {
    if (bitWidth == 0) {
      java.util.Arrays.fill(out, at, at + count, 0);
      return;
    }
    if (bitWidth == 8) {
      for (int i = 0; i < count; i++) {
        out[at + i] = in.get(from + i) & 0xff;
      }
      return;
    }
    long mask = (1L << bitWidth) - 1;
    long bits = 0;
    int available = 0;
    int pos = from;
    for (int i = 0; i < count; i++) {
      while (available < bitWidth) {
        bits |= (long) (in.get(pos++) & 0xff) << available;
        available += 8;
      }
      out[at + i] = (int) (bits & mask);
      bits >>>= bitWidth;
      available -= bitWidth;
    }
  }
}
