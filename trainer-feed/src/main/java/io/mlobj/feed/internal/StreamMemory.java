package io.mlobj.feed.internal;

import io.mlobj.feed.plan.SamplePlan;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Sizes in the feed's memory model (see {@link DecodedBlocks}): what a decoded block and a batch
 * take in Arrow memory, planned from the schema before any data is read. Each buffer may waste up
 * to one allocation segment (FeedServer's rounding policy), which matters for small row groups.
 */
final class StreamMemory {
  private StreamMemory() {}

  /** Planned Arrow bytes of {@code rows} decoded rows of the schema, in one set of vectors. */
  static long bytes(long rows, Schema schema) {
    return rows * bytesPerRow(schema) + (long) buffers(schema) * FeedService.ALLOCATION_SEGMENT;
  }

  /** The planned bytes of the largest block that {@code samples} (global indexes) touch. */
  static long largestBlock(long[][] samples, SamplePlan plan, Schema decoded) {
    boolean[] seen = new boolean[plan.blocks().size()];
    long largest = 0;
    for (long[] batch : samples) {
      for (long sample : batch) {
        int b = plan.blockOf(sample);
        if (!seen[b]) {
          seen[b] = true;
          largest = Math.max(largest, bytes(plan.blocks().get(b).rows(), decoded));
        }
      }
    }
    return largest;
  }

  /** The most blocks one batch of {@code samples} (global indexes per batch) reads. */
  static int blocksPerBatch(long[][] samples, SamplePlan plan) {
    int most = 0;
    java.util.Set<Integer> blocks = new java.util.HashSet<>();
    for (long[] batch : samples) {
      blocks.clear();
      for (long sample : batch) {
        blocks.add(plan.blockOf(sample));
      }
      most = Math.max(most, blocks.size());
    }
    return most;
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
