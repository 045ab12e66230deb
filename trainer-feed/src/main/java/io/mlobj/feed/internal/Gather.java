package io.mlobj.feed.internal;

import io.mlobj.feed.transform.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Copies chosen rows of decoded blocks into new vectors: one memory copy per row for tensors and
 * other fixed-width values, Arrow's per-value copy for the rest (strings, lists, structs).
 */
final class Gather {
  private Gather() {}

  static List<FieldVector> rows(
      Schema schema,
      VectorSchemaRoot[] sources,
      int[] source,
      int[] row,
      BufferAllocator allocator) {
    List<FieldVector> out = new ArrayList<>();
    try {
      for (int c = 0; c < schema.getFields().size(); c++) {
        Field field = schema.getFields().get(c);
        FieldVector[] from = new FieldVector[sources.length];
        for (int s = 0; s < sources.length; s++) {
          if (sources[s] != null) {
            from[s] = sources[s].getVector(field.getName());
          }
        }
        out.add(column(field, from, source, row, allocator));
      }
      return out;
    } catch (RuntimeException e) {
      out.forEach(FieldVector::close);
      throw e;
    }
  }

  private static FieldVector column(
      Field field, FieldVector[] from, int[] source, int[] row, BufferAllocator allocator) {
    boolean tensor = Tensors.tensorType(field) != null && fixedWidthTensor(from, source);
    FieldVector out;
    if (tensor) {
      out = Tensors.allocateForOverwrite(field, row.length, allocator);
    } else {
      out = field.createVector(allocator);
      out.setInitialCapacity(Math.max(1, row.length));
      out.allocateNew();
    }
    try {
      if (tensor) {
        copyTensorRows(from, source, row, out);
      } else {
        copyRows(from, source, row, out);
      }
      return out;
    } catch (RuntimeException e) {
      out.close(); // the batch's earlier columns are closed by rows()
      throw e;
    }
  }

  /** One memory copy per row of fixed-width tensors; null rows read as zeros. */
  private static void copyTensorRows(FieldVector[] from, int[] source, int[] row, FieldVector out) {
    FixedSizeListVector dst = Tensors.storage(out);
    int size = dst.getListSize();
    BaseFixedWidthVector dstValues = (BaseFixedWidthVector) dst.getDataVector();
    long rowBytes = (long) size * dstValues.getTypeWidth();
    ArrowBuf dstBuf = dstValues.getDataBuffer();
    for (int i = 0; i < row.length; i++) {
      FixedSizeListVector src = list(from[source[i]]);
      if (src.isNull(row[i])) {
        BitVectorHelper.unsetBit(dst.getValidityBuffer(), i);
        dstBuf.setZero(i * rowBytes, rowBytes); // null rows read as zeros, not stale memory
        continue;
      }
      ArrowBuf srcBuf = ((BaseFixedWidthVector) src.getDataVector()).getDataBuffer();
      dstBuf.setBytes(i * rowBytes, srcBuf, row[i] * rowBytes, rowBytes);
    }
  }

  /** Arrow's per-value copy, for strings, lists, structs and the rest. */
  private static void copyRows(FieldVector[] from, int[] source, int[] row, FieldVector out) {
    for (int i = 0; i < row.length; i++) {
      FieldVector src = from[source[i]];
      FieldVector dst = out;
      if (out instanceof ExtensionTypeVector<?> ext && src instanceof ExtensionTypeVector<?> s) {
        dst = ext.getUnderlyingVector();
        src = s.getUnderlyingVector();
      }
      if (readsThroughSharedReader(src)) {
        // Blocks are shared by every stream and preparing thread, and Arrow copies nested values
        // through one reader cached on the source vector: two threads copying from it at once
        // read each other's positions (wrong rows, or an index out of bounds).
        synchronized (src) {
          dst.copyFromSafe(row[i], i, src);
        }
      } else {
        dst.copyFromSafe(row[i], i, src);
      }
    }
    out.setValueCount(row.length);
  }

  /** Whether Arrow's copyFrom of this vector reads it through its cached reader. */
  private static boolean readsThroughSharedReader(FieldVector v) {
    return !(v instanceof BaseFixedWidthVector
        || v instanceof BaseVariableWidthVector
        || v instanceof BaseLargeVariableWidthVector);
  }

  private static boolean fixedWidthTensor(FieldVector[] from, int[] source) {
    for (int s : source) {
      FieldVector v = from[s];
      if (!(v instanceof ExtensionTypeVector<?> || v instanceof FixedSizeListVector)) {
        return false;
      }
      FixedSizeListVector list = list(v);
      if (!(list.getDataVector() instanceof BaseFixedWidthVector)
          || list.getDataVector() instanceof BitVector) {
        return false;
      }
    }
    return true;
  }

  private static FixedSizeListVector list(FieldVector v) {
    return v instanceof ExtensionTypeVector<?> ext
        ? (FixedSizeListVector) ext.getUnderlyingVector()
        : (FixedSizeListVector) v;
  }
}
