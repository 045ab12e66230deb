package io.mlobj.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.internal.arrow.RleHybridDecoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The run-wise consumers of RLE / bit-packed hybrid data agree with expanding every value: the
 * dictionary lookup fused with unpacking (every index width 1..32 bits, every entry width), the
 * count of definition levels at their maximum, and the repetition check of fixed-size lists (rows
 * shorter and longer than the 8 levels of a bit-packed byte, checks that start inside a row). Data
 * mixes RLE runs and bit-packed runs of several groups, and ends with a partly used group.
 */
class RleHybridRunsTest {
  private static final int[] ENTRY_WIDTHS = {1, 2, 4, 8};

  @Test
  void dictionaryLookupWhileUnpackingMatchesUnpackingThenLookingUp() {
    Random random = new Random(11);
    for (int bitWidth = 1; bitWidth <= 32; bitWidth++) {
      // Indices must name entries: past 16 bits they use the low bits of the width only.
      int entries = (int) Math.min(1L << bitWidth, 1 << 16);
      int[] indices = new int[1203];
      for (int i = 0; i < indices.length; i++) {
        indices[i] = i % 97 < 40 ? entries - 1 : random.nextInt(entries);
      }
      ByteBuffer heap = encode(indices, bitWidth, 40);
      ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).put(heap.duplicate()).flip();
      for (int width : ENTRY_WIDTHS) {
        byte[] dictionary = new byte[entries * width];
        random.nextBytes(dictionary);
        byte[] out = new byte[indices.length * width];
        // Heap buffers are read through their array, others (mappings) through the buffer.
        ByteBuffer in = (width + bitWidth) % 2 == 0 ? heap.duplicate() : direct.duplicate();
        RleHybridDecoder.gather(in, bitWidth, indices.length, dictionary, width, out);
        for (int i = 0; i < indices.length; i++) {
          for (int b = 0; b < width; b++) {
            assertThat(out[i * width + b])
                .as("bit width %d, entry width %d, value %d", bitWidth, width, i)
                .isEqualTo(dictionary[indices[i] * width + b]);
          }
        }
        assertThat(in.hasRemaining()).isFalse();
      }
    }
  }

  @Test
  void anIndexPastTheDictionaryIsAnErrorNotAnotherEntry() {
    ByteBuffer encoded = encode(new int[] {0, 1, 2, 3, 4, 5, 6, 9, 1}, 4, 0);
    assertThatThrownBy(
            () ->
                RleHybridDecoder.gather(
                    encoded.duplicate(), 4, 9, new byte[8 * 4], 4, new byte[9 * 4]))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void countsValuesEqualToTheMaximumAsExpandingThemWould() {
    Random random = new Random(5);
    for (int bitWidth = 0; bitWidth <= 32; bitWidth++) {
      long max = bitWidth == 32 ? 0xffffffffL : (1L << bitWidth) - 1;
      int[] values = new int[999];
      for (int i = 0; i < values.length; i++) {
        values[i] = random.nextInt(4) != 0 ? (int) max : (int) (random.nextLong() & max);
      }
      ByteBuffer encoded = encode(values, bitWidth, 33);
      int expected = 0;
      for (int v : values) {
        expected += v == (int) max ? 1 : 0;
      }
      ByteBuffer in = encoded.duplicate();
      assertThat(RleHybridDecoder.countEqual(in, bitWidth, values.length, (int) max))
          .as("bit width " + bitWidth)
          .isEqualTo(expected);
      assertThat(in.hasRemaining()).isFalse();
    }
  }

  @Test
  void aPageWithoutNullsIsCountedFromOneRunAndABigEndianBufferKeepsItsOrder() {
    ByteBuffer run = ByteBuffer.allocate(3).order(ByteOrder.BIG_ENDIAN);
    run.put(0, (byte) (1000 << 1 & 0x7f | 0x80)).put(1, (byte) (1000 >>> 6)).put(2, (byte) 3);
    assertThat(RleHybridDecoder.countEqual(run, 2, 1000, 3)).isEqualTo(1000);
    assertThat(run.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
  }

  @Test
  void truncatedRunsAreReportedByEveryConsumer() {
    ByteBuffer cut = encode(new int[1000], 7, 0).slice(0, 20);
    assertThatThrownBy(() -> RleHybridDecoder.countEqual(cut.duplicate(), 7, 1000, 0))
        .hasMessageContaining("Cannot decode RLE/bit-packed values");
    assertThatThrownBy(
            () ->
                RleHybridDecoder.gather(cut.duplicate(), 7, 1000, new byte[128], 1, new byte[1000]))
        .hasMessageContaining("Cannot decode RLE/bit-packed values");
    ByteBuffer levels = encode(new int[64], 1, 0).slice(0, 3);
    assertThatThrownBy(() -> RleHybridDecoder.fixedListPhase(levels, 64, 8, 0))
        .hasMessageContaining("Cannot decode RLE/bit-packed values");
  }

  @Test
  void fixedListRepetitionChecksAgreeWithCheckingEachLevel() {
    Random random = new Random(3);
    for (int perRow : new int[] {1, 2, 7, 8, 9, 12, 16, 40, 256}) {
      for (int trial = 0; trial < 60; trial++) {
        List<Integer> lengths = new ArrayList<>();
        int total = 0;
        while (total < 2000) {
          int length = perRow;
          if (trial % 3 == 1 && random.nextInt(20) == 0) {
            length = Math.max(1, perRow + random.nextInt(3) - 1);
          }
          lengths.add(length);
          total += length;
        }
        int[] levels = new int[total];
        int at = 0;
        for (int length : lengths) {
          for (int k = 0; k < length; k++) {
            levels[at++] = k == 0 ? 0 : 1;
          }
        }
        int skip = random.nextInt(Math.min(perRow, 50) + 1); // start inside a row
        int count = total - skip - random.nextInt(30); // end inside a row
        int[] checked = java.util.Arrays.copyOfRange(levels, skip, skip + count);
        int startPhase = skip % perRow;
        ByteBuffer encoded = encode(checked, 1, trial % 2 == 0 ? 0 : 5);
        int got = RleHybridDecoder.fixedListPhase(encoded, count, perRow, startPhase);
        assertThat(got)
            .as("%d per row, trial %d", perRow, trial)
            .isEqualTo(expectedPhase(checked, perRow, startPhase));
      }
    }
  }

  /** Level by level: the phase after the levels, or -1 where a row start is misplaced. */
  private static int expectedPhase(int[] levels, int perRow, int phase) {
    for (int level : levels) {
      if ((level == 0) != (phase == 0)) {
        return -1;
      }
      phase = (phase + 1) % perRow;
    }
    return phase;
  }

  /**
   * A prefix of {@code rle} values as one RLE run (if all equal, as a real writer would emit it),
   * the rest as bit-packed runs of up to 5 groups.
   */
  private static ByteBuffer encode(int[] values, int bitWidth, int rle) {
    ByteBuffer out = ByteBuffer.allocate(64 + values.length * 5);
    int start = 0;
    if (rle > 0 && rle <= values.length) {
      boolean same = true;
      for (int i = 1; i < rle; i++) {
        same &= values[i] == values[0];
      }
      if (same) {
        uleb(out, rle << 1);
        for (int b = 0; b < (bitWidth + 7) / 8; b++) {
          out.put((byte) (values[0] >>> (8 * b)));
        }
        start = rle;
      }
    }
    while (start < values.length) {
      int groups = Math.min(5, (values.length - start + 7) / 8);
      uleb(out, (groups << 1) | 1);
      long bits = 0;
      int filled = 0;
      for (int i = 0; i < groups * 8; i++) {
        long v = start + i < values.length ? values[start + i] & 0xffffffffL : 0;
        bits |= v << filled;
        filled += bitWidth;
        while (filled >= 8) {
          out.put((byte) bits);
          bits >>>= 8;
          filled -= 8;
        }
      }
      start += groups * 8;
    }
    out.flip();
    return out;
  }

  private static void uleb(ByteBuffer out, int value) {
    while ((value & ~0x7f) != 0) {
      out.put((byte) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    out.put((byte) value);
  }
}
