package io.mlobj.spark.read;

import io.mlobj.arrow.FixedShapeTensorType;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Rows per batch when the reader does not set {@code batchRows}: 8192, but fewer for wide rows so
 * that one batch holds about {@link #TARGET_BYTES} of decoded values.
 *
 * <p>Why: a batch is decoded into memory and then read again by Spark's conversion to rows. When it
 * fits in the CPU caches the second pass is nearly free; 8192 rows of 3x32x32 float32 tensors are
 * 100 MB and go to main memory twice. Measured on tensor columns (docs/spark.md), 64 to 512 rows
 * per batch read in about half the time of 8192, with either Parquet reader.
 */
final class BatchSizing {
  /** Decoded bytes per batch aimed at: well inside a server CPU's last-level cache. */
  static final long TARGET_BYTES = 4L << 20;

  static final int DEFAULT_ROWS = 8192;

  private static final int MIN_ROWS = 16;

  /** Guess for one value of a variable-width type (strings, binaries, list elements). */
  private static final int VARIABLE_BYTES = 32;

  private BatchSizing() {}

  /** Rows per batch for these (projected) fields. */
  static int rows(List<Field> fields) {
    long width = 0;
    for (Field f : fields) {
      width += bytes(f);
    }
    if (width == 0) {
      return DEFAULT_ROWS;
    }
    return (int) Math.max(MIN_ROWS, Math.min(DEFAULT_ROWS, TARGET_BYTES / width));
  }

  /** Estimated decoded bytes of one value of a field. */
  static long bytes(Field f) {
    ArrowType type = f.getType();
    if (type instanceof FixedShapeTensorType) {
      // of(): a type read back from a file keeps its element type in the storage child.
      FixedShapeTensorType tensor = FixedShapeTensorType.of(f);
      return (long) tensor.size() * primitive(tensor.valueType());
    }
    if (type instanceof ArrowType.FixedSizeList list && f.getChildren().size() == 1) {
      return (long) list.getListSize() * bytes(f.getChildren().get(0));
    }
    if (type instanceof ArrowType.List
        || type instanceof ArrowType.LargeList
        || type instanceof ArrowType.Map) {
      // Unknown length: a few elements.
      long element = 0;
      for (Field child : f.getChildren()) {
        element += bytes(child);
      }
      return 4 + 4 * element;
    }
    if (type instanceof ArrowType.Struct) {
      long sum = 0;
      for (Field child : f.getChildren()) {
        sum += bytes(child);
      }
      return sum;
    }
    return primitive(type);
  }

  private static long primitive(ArrowType type) {
    if (type instanceof ArrowType.Int i) {
      return i.getBitWidth() / 8;
    } else if (type instanceof ArrowType.FloatingPoint fp) {
      return switch (fp.getPrecision()) {
        case HALF -> 2;
        case SINGLE -> 4;
        case DOUBLE -> 8;
      };
    } else if (type instanceof ArrowType.Bool) {
      return 1;
    } else if (type instanceof ArrowType.Date
        || type instanceof ArrowType.Timestamp
        || type instanceof ArrowType.Time
        || type instanceof ArrowType.Duration) {
      return 8;
    } else if (type instanceof ArrowType.Decimal) {
      return 16;
    } else if (type instanceof ArrowType.FixedSizeBinary b) {
      return b.getByteWidth();
    }
    return VARIABLE_BYTES;
  }
}
