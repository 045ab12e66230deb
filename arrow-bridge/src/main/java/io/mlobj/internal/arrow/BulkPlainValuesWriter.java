package io.mlobj.internal.arrow;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.values.ValuesWriter;

/**
 * PLAIN encoding of INT32, INT64, FLOAT and DOUBLE values into one growable byte array, with one
 * little-endian store per value, and with {@link #writeFloats} copying a run of floats straight
 * from an Arrow buffer. The bytes are exactly those of parquet-mr's {@code PlainValuesWriter}
 * (floats and doubles as {@link Float#floatToIntBits} / {@link Double#doubleToLongBits}, so NaNs
 * are canonical as there).
 *
 * <p>Why not parquet-mr's writer: it writes through {@code LittleEndianDataOutputStream}, which
 * splits every int into four single-byte {@code write(int)} calls on a {@code
 * CapacityByteArrayOutputStream}, each with its own capacity check and slab bookkeeping. For tensor
 * columns that was 78% of the Parquet write's CPU samples.
 *
 * <p>{@link #getBytes} hands out a view of the array, which {@link #reset} then reuses for the next
 * page. That is safe because parquet-mr's page writer ({@code ColumnChunkPageWriteStore}) copies
 * (or compresses) a page's bytes before the column writer resets its values writer.
 */
final class BulkPlainValuesWriter extends ValuesWriter {
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final int CANONICAL_NAN = Float.floatToIntBits(Float.NaN);

  private byte[] buffer;
  private int size;

  BulkPlainValuesWriter(int initialCapacity) {
    buffer = new byte[Math.max(64, initialCapacity)];
  }

  private void ensure(int more) {
    if (more > buffer.length - size) {
      long wanted = Math.max(2L * buffer.length, (long) size + more);
      if (wanted > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException(
            "A Parquet page's values exceed 2 GiB; lower the page size or the row group size.");
      }
      buffer = Arrays.copyOf(buffer, (int) wanted);
    }
  }

  @Override
  public void writeInteger(int v) {
    ensure(4);
    INT.set(buffer, size, v);
    size += 4;
  }

  @Override
  public void writeLong(long v) {
    ensure(8);
    LONG.set(buffer, size, v);
    size += 8;
  }

  @Override
  public void writeFloat(float v) {
    writeInteger(Float.floatToIntBits(v));
  }

  @Override
  public void writeDouble(double v) {
    writeLong(Double.doubleToLongBits(v));
  }

  /**
   * Appends {@code count} floats of an Arrow buffer (little-endian, as Arrow stores them) starting
   * at float index {@code first}, as {@code count} calls of {@link #writeFloat} would, and adds
   * them to {@code stats} as {@code stats.updateStats(float)} for each would: one bulk copy, then
   * one pass that rewrites NaNs in their canonical form and finds the least and greatest value in
   * {@link Float#compare} order (parquet-mr's float comparator).
   */
  void writeFloats(ArrowBuf values, long first, int count, Statistics<?> stats) {
    if (count == 0) {
      return;
    }
    int bytes = Math.multiplyExact(count, Float.BYTES);
    ensure(bytes);
    int start = size;
    values.getBytes(first * Float.BYTES, buffer, start, bytes);
    size += bytes;
    // Float.compare order on canonical bits is signed int order after flipping the magnitude bits
    // of negative values; the canonical NaN then sorts above +Infinity, as in Float.compare.
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (int at = start, end = start + bytes; at < end; at += Float.BYTES) {
      int bits = (int) INT.get(buffer, at);
      if ((bits & 0x7fffffff) > 0x7f800000) { // a NaN: exponent all ones, fraction non-zero
        bits = CANONICAL_NAN;
        INT.set(buffer, at, bits);
      }
      int key = bits ^ ((bits >> 31) & 0x7fffffff);
      min = Math.min(min, key);
      max = Math.max(max, key);
    }
    stats.updateStats(Float.intBitsToFloat(min ^ ((min >> 31) & 0x7fffffff)));
    stats.updateStats(Float.intBitsToFloat(max ^ ((max >> 31) & 0x7fffffff)));
  }

  @Override
  public long getBufferedSize() {
    return size;
  }

  @Override
  public BytesInput getBytes() {
    return BytesInput.from(buffer, 0, size);
  }

  @Override
  public Encoding getEncoding() {
    return Encoding.PLAIN;
  }

  @Override
  public void reset() {
    size = 0;
  }

  @Override
  public long getAllocatedSize() {
    return buffer.length;
  }

  @Override
  public String memUsageString(String prefix) {
    return prefix + " PLAIN (bulk) " + size + "/" + buffer.length + " bytes";
  }
}
