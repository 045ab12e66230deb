package io.mlobj.internal.arrow;

import java.util.Arrays;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.values.bitpacking.BytePacker;
import org.apache.parquet.column.values.bitpacking.Packer;

/**
 * Repetition or definition levels of a V1 data page in the RLE / bit-packing hybrid encoding, with
 * the 4-byte length prefix: the bytes of parquet-mr's {@code RunLengthBitPackingHybridValuesWriter}
 * for the same levels, because this follows its encoder's algorithm step for step (when a run of
 * equal values becomes an RLE run, when 8 values are bit-packed, 63 groups per bit-packed run).
 *
 * <p>It adds {@link #writeRepeated}: a tensor row's levels are long runs of one value (all its
 * definition levels, all but the first repetition level), and once parquet-mr's encoder has seen a
 * value 8 times in a row, each further repeat only increments its count. Here that is one addition
 * for the whole run instead of one call per level.
 */
final class RleLevelWriter {
  private final int bitWidth;
  private final BytePacker packer;
  private final byte[] packBuffer;
  private final int[] buffered = new int[8];
  private byte[] out = new byte[256];
  private int size;
  private int previous;
  private int bufferedCount;
  private int repeatCount;
  private int groupCount;
  private int groupHeader = -1;

  RleLevelWriter(int maxLevel) {
    this.bitWidth = BytesUtils.getWidthFromMaxInt(maxLevel);
    this.packer = Packer.LITTLE_ENDIAN.newBytePacker(bitWidth);
    this.packBuffer = new byte[bitWidth];
  }

  /** As {@code count} calls of {@link #write}. */
  void writeRepeated(int value, int count) {
    while (count > 0 && !(value == previous && repeatCount >= 8)) {
      write(value);
      count--;
    }
    repeatCount += count; // all that the remaining calls would do
  }

  void write(int value) {
    if (value == previous) {
      if (++repeatCount >= 8) {
        return; // certainly an RLE run: only count
      }
    } else {
      if (repeatCount >= 8) {
        writeRleRun();
      }
      repeatCount = 1;
      previous = value;
    }
    buffered[bufferedCount++] = value;
    if (bufferedCount == 8) {
      writeOrAppendBitPackedRun();
    }
  }

  private void writeOrAppendBitPackedRun() {
    if (groupCount >= 63) {
      endBitPackedRun();
    }
    if (groupHeader == -1) {
      ensure(1);
      groupHeader = size++; // the header byte, set when the run ends
    }
    packer.pack8Values(buffered, 0, packBuffer, 0);
    ensure(bitWidth);
    System.arraycopy(packBuffer, 0, out, size, bitWidth);
    size += bitWidth;
    bufferedCount = 0;
    repeatCount = 0;
    groupCount++;
  }

  private void endBitPackedRun() {
    if (groupHeader == -1) {
      return;
    }
    out[groupHeader] = (byte) ((groupCount << 1) | 1);
    groupHeader = -1;
    groupCount = 0;
  }

  private void writeRleRun() {
    endBitPackedRun();
    ensure(5 + 4);
    size = varInt(repeatCount << 1, out, size);
    for (int b = 0, bytes = (bitWidth + 7) / 8; b < bytes; b++) {
      out[size++] = (byte) (previous >>> (8 * b)); // little-endian, padded to whole bytes
    }
    repeatCount = 0;
    bufferedCount = 0;
  }

  private static int varInt(int value, byte[] into, int at) {
    while ((value & ~0x7f) != 0) {
      into[at++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    into[at++] = (byte) value;
    return at;
  }

  private void ensure(int more) {
    if (more > out.length - size) {
      out = Arrays.copyOf(out, Math.max(2 * out.length, size + more));
    }
  }

  /** Bytes so far (without what is still buffered), as parquet-mr's writer reports them. */
  long bufferedSize() {
    return size;
  }

  /**
   * The page's levels: a 4-byte little-endian length, then the runs. Ends the open run, so the
   * writer must be {@link #reset} before the next page.
   */
  BytesInput toBytes() {
    if (repeatCount >= 8) {
      writeRleRun();
    } else if (bufferedCount > 0) {
      Arrays.fill(buffered, bufferedCount, 8, 0);
      writeOrAppendBitPackedRun();
      endBitPackedRun();
    } else {
      endBitPackedRun();
    }
    return BytesInput.concat(BytesInput.fromInt(size), BytesInput.from(out, 0, size));
  }

  /** Starts the next page, keeping the array (the page writer has copied the last page). */
  void reset() {
    size = 0;
    previous = 0;
    bufferedCount = 0;
    repeatCount = 0;
    groupCount = 0;
    groupHeader = -1;
  }
}
