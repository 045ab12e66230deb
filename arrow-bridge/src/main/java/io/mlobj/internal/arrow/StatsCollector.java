package io.mlobj.internal.arrow;

import io.mlobj.ColumnStats;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Accumulates per-column min/max/null counts over the batches of one shard. Min/max are kept for
 * integer, floating point, boolean, string (up to {@value #MAX_STRING} characters), date and
 * timestamp columns; other columns get null counts only.
 */
public final class StatsCollector {
  public static final int MAX_STRING = 256;

  private final Map<String, Acc> columns = new LinkedHashMap<>();

  private static final class Acc {
    Object min;
    Object max;
    long nulls;
    boolean boundsValid = true;

    @SuppressWarnings({"unchecked", "rawtypes"})
    void add(Comparable value) {
      if (min == null || value.compareTo(min) < 0) {
        min = value;
      }
      if (max == null || value.compareTo(max) > 0) {
        max = value;
      }
    }
  }

  /** Adds the values of one batch. */
  public void add(VectorSchemaRoot batch) {
    int rows = batch.getRowCount();
    for (FieldVector vector : batch.getFieldVectors()) {
      Acc acc = columns.computeIfAbsent(vector.getName(), k -> new Acc());
      acc.nulls += vector.getNullCount();
      if (!acc.boundsValid) {
        continue;
      }
      if (vector instanceof Float4Vector f) {
        for (int i = 0; i < rows; i++) {
          if (!f.isNull(i) && !Float.isNaN(f.get(i))) {
            acc.add((double) f.get(i));
          }
        }
      } else if (vector instanceof Float8Vector f) {
        for (int i = 0; i < rows; i++) {
          if (!f.isNull(i) && !Double.isNaN(f.get(i))) {
            acc.add(f.get(i));
          }
        }
      } else if (vector instanceof UInt8Vector) {
        acc.boundsValid = false; // unsigned 64-bit does not fit a signed long bound
      } else if (vector instanceof BaseIntVector ints) {
        for (int i = 0; i < rows; i++) {
          if (!vector.isNull(i)) {
            acc.add(ints.getValueAsLong(i));
          }
        }
      } else if (vector instanceof DateDayVector d) {
        for (int i = 0; i < rows; i++) {
          if (!d.isNull(i)) {
            acc.add((long) d.get(i));
          }
        }
      } else if (vector instanceof TimeStampVector t) {
        for (int i = 0; i < rows; i++) {
          if (!t.isNull(i)) {
            acc.add(t.get(i));
          }
        }
      } else if (vector instanceof BitVector b) {
        for (int i = 0; i < rows; i++) {
          if (!b.isNull(i)) {
            acc.add(b.get(i) != 0);
          }
        }
      } else if (vector instanceof VarCharVector s) {
        for (int i = 0; i < rows; i++) {
          if (!s.isNull(i)) {
            String value = new String(s.get(i), java.nio.charset.StandardCharsets.UTF_8);
            if (value.length() > MAX_STRING) {
              acc.boundsValid = false;
              break;
            }
            acc.add(value);
          }
        }
      } else {
        acc.boundsValid = false;
      }
    }
  }

  /** The statistics so far. */
  public Map<String, ColumnStats> result() {
    Map<String, ColumnStats> out = new LinkedHashMap<>();
    columns.forEach(
        (name, acc) ->
            out.put(
                name,
                new ColumnStats(
                    acc.boundsValid ? acc.min : null,
                    acc.boundsValid ? acc.max : null,
                    acc.nulls)));
    return out;
  }
}
