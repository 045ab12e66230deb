package io.mlobj.internal.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.AllocatorExtension;
import java.io.IOException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.values.ValuesWriter;
import org.apache.parquet.column.values.plain.PlainValuesWriter;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link BulkPlainValuesWriter} writes exactly the bytes of parquet-mr's {@link PlainValuesWriter}
 * for every fixed-width number, special floating-point values included (NaN payloads come out
 * canonical in both), page after page across resets, and its bulk float copy from an Arrow buffer
 * matches value-by-value writes.
 */
class BulkPlainValuesWriterTest {
  private static final float[] FLOATS = {
    0f,
    -0f,
    1.5f,
    -1.5f,
    Float.NaN,
    Float.intBitsToFloat(0x7fc00001), // a NaN with a payload
    Float.intBitsToFloat(0xffc00000), // a negative NaN
    Float.intBitsToFloat(0x7f800001), // a signalling NaN
    Float.POSITIVE_INFINITY,
    Float.NEGATIVE_INFINITY,
    Float.MAX_VALUE,
    -Float.MAX_VALUE,
    Float.MIN_VALUE,
    Float.MIN_NORMAL
  };
  private static final double[] DOUBLES = {
    0d,
    -0d,
    Double.NaN,
    Double.longBitsToDouble(0x7ff8000000000001L),
    Double.longBitsToDouble(0xfff8000000000000L),
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    Double.MAX_VALUE,
    -Double.MAX_VALUE,
    Double.MIN_VALUE,
    Math.PI
  };
  private static final int[] INTS = {0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x01020304};
  private static final long[] LONGS = {
    0L, -1L, 1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x0102030405060708L
  };

  private static final PrimitiveType FLOAT =
      Types.required(PrimitiveType.PrimitiveTypeName.FLOAT).named("f");

  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();

  @Test
  void writesTheBytesOfParquetMrsPlainWriterForEveryNumberTypeAcrossPages() throws IOException {
    ValuesWriter expected = new PlainValuesWriter(64, 1 << 20, new HeapByteBufferAllocator());
    BulkPlainValuesWriter actual = new BulkPlainValuesWriter(16); // small: it must grow
    for (int page = 0; page < 3; page++) {
      for (int repeat = 0; repeat < 1000; repeat++) {
        for (ValuesWriter w : new ValuesWriter[] {expected, actual}) {
          for (float f : FLOATS) {
            w.writeFloat(f);
          }
          for (double d : DOUBLES) {
            w.writeDouble(d);
          }
          for (int i : INTS) {
            w.writeInteger(i + page);
          }
          for (long l : LONGS) {
            w.writeLong(l + repeat);
          }
        }
      }
      assertThat(actual.getBufferedSize()).isEqualTo(expected.getBufferedSize());
      assertThat(actual.getBytes().toByteArray()).isEqualTo(expected.getBytes().toByteArray());
      assertThat(actual.getEncoding()).isEqualTo(expected.getEncoding()).isEqualTo(Encoding.PLAIN);
      expected.reset();
      actual.reset();
      assertThat(actual.getBufferedSize()).isZero();
    }
    expected.close();
  }

  @Test
  void bulkFloatStatisticsMatchValueByValueStatisticsForOrdinaryNegativeAndZeroRuns() {
    float[][] runs = {{-3f, -1f, -2f}, {-0f, 0f}, {0f, -0f}, {5f}, {1f, Float.NaN, -1f}};
    for (float[] run : runs) {
      try (ArrowBuf buf = arrow.allocator().buffer((long) run.length * Float.BYTES)) {
        Statistics<?> expected = Statistics.createStats(FLOAT);
        for (int i = 0; i < run.length; i++) {
          buf.setFloat((long) i * Float.BYTES, run[i]);
          expected.updateStats(run[i]);
        }
        Statistics<?> actual = Statistics.createStats(FLOAT);
        new BulkPlainValuesWriter(16).writeFloats(buf, 0, run.length, actual);
        assertThat(actual.getMinBytes())
            .as(java.util.Arrays.toString(run))
            .isEqualTo(expected.getMinBytes());
        assertThat(actual.getMaxBytes())
            .as(java.util.Arrays.toString(run))
            .isEqualTo(expected.getMaxBytes());
      }
    }
  }

  @Test
  void bulkFloatCopyFromAnArrowBufferEqualsWritingEachFloat() throws IOException {
    int n = FLOATS.length * 50;
    try (ArrowBuf buf = arrow.allocator().buffer((long) n * Float.BYTES)) {
      for (int i = 0; i < n; i++) {
        buf.setFloat((long) i * Float.BYTES, FLOATS[i % FLOATS.length]);
      }
      ValuesWriter expected = new PlainValuesWriter(64, 1 << 20, new HeapByteBufferAllocator());
      BulkPlainValuesWriter actual = new BulkPlainValuesWriter(16);
      expected.writeFloat(42f);
      actual.writeFloat(42f);
      // Runs at odd offsets and lengths, one empty.
      int[][] runs = {{3, 17}, {0, 0}, {20, n - 20}, {1, 1}};
      for (int[] run : runs) {
        Statistics<?> expectedStats = Statistics.createStats(FLOAT);
        Statistics<?> actualStats = Statistics.createStats(FLOAT);
        for (int i = run[0]; i < run[0] + run[1]; i++) {
          float f = buf.getFloat((long) i * Float.BYTES);
          expected.writeFloat(f);
          expectedStats.updateStats(f);
        }
        actual.writeFloats(buf, run[0], run[1], actualStats);
        assertThat(actualStats).isEqualTo(expectedStats);
        assertThat(actualStats.getMinBytes()).isEqualTo(expectedStats.getMinBytes());
        assertThat(actualStats.getMaxBytes()).isEqualTo(expectedStats.getMaxBytes());
      }
      assertThat(actual.getBytes().toByteArray()).isEqualTo(expected.getBytes().toByteArray());
      expected.close();
    }
  }
}
