package io.mlobj;

import io.mlobj.arrow.BatchReader;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** Keeps only the rows of each batch that match a predicate; skips batches with none. */
final class FilteringBatchReader implements BatchReader {
  private final BatchReader source;
  private final Predicate predicate;
  private final VectorSchemaRoot out;

  FilteringBatchReader(
      BatchReader source, Predicate predicate, Schema schema, BufferAllocator allocator) {
    this.source = source;
    this.predicate = predicate;
    this.out = VectorSchemaRoot.create(schema, allocator);
  }

  @Override
  public boolean next() {
    while (source.next()) {
      VectorSchemaRoot in = source.root();
      int kept = 0;
      out.clear();
      out.allocateNew();
      List<FieldVector> from = in.getFieldVectors();
      List<FieldVector> to = out.getFieldVectors();
      for (int row = 0; row < in.getRowCount(); row++) {
        if (predicate.test(in, row)) {
          for (int c = 0; c < to.size(); c++) {
            to.get(c).copyFromSafe(row, kept, from.get(c));
          }
          kept++;
        }
      }
      if (kept > 0) {
        out.setRowCount(kept);
        return true;
      }
    }
    return false;
  }

  @Override
  public VectorSchemaRoot root() {
    return out;
  }

  @Override
  public void close() {
    try {
      source.close();
    } finally {
      out.close();
    }
  }
}
