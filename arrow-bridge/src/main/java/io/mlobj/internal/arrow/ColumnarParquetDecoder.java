package io.mlobj.internal.arrow;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Decodes the common column shapes — flat primitives and (fixed-size) lists of primitives, which
 * covers labels, strings, binary images and tensors — straight from parquet-mr's {@link
 * ColumnReader}s into Arrow vectors, without record assembly. Measured here 3-5x faster than the
 * converter path for tensor columns; other shapes (structs, nested lists) still use {@link
 * ArrowConverters}.
 */
public final class ColumnarParquetDecoder {
  private final MessageType schema;
  private final List<FieldVector> vectors;
  private final List<ColumnDescriptor> columns;
  private final String createdBy;
  private ColumnReader[] readers;
  private BulkPageDecoder[] copiers;
  private long[] consumed;

  private ColumnarParquetDecoder(
      MessageType schema,
      List<FieldVector> vectors,
      List<ColumnDescriptor> columns,
      String createdBy) {
    this.schema = schema;
    this.vectors = vectors;
    this.columns = columns;
    this.createdBy = createdBy;
  }

  /** Whether a column of this Parquet type and Arrow vector can be decoded column-wise. */
  public static boolean supports(Type type, FieldVector vector) {
    ValueVector v = vector instanceof ExtensionTypeVector<?> e ? e.getUnderlyingVector() : vector;
    if (type.isPrimitive()) {
      return isPrimitiveVector(v);
    }
    if (v instanceof FixedSizeListVector || v instanceof ListVector) {
      GroupType list = type.asGroupType();
      if (list.getFieldCount() != 1 || list.getType(0).isPrimitive()) {
        return false;
      }
      GroupType repeated = list.getType(0).asGroupType();
      ValueVector data =
          v instanceof FixedSizeListVector f ? f.getDataVector() : ((ListVector) v).getDataVector();
      return repeated.getFieldCount() == 1
          && repeated.getType(0).isPrimitive()
          && isPrimitiveVector(data);
    }
    return false;
  }

  private static boolean isPrimitiveVector(ValueVector v) {
    return v instanceof IntVector
        || v instanceof BigIntVector
        || v instanceof Float4Vector
        || v instanceof Float8Vector
        || v instanceof BitVector
        || v instanceof TinyIntVector
        || v instanceof SmallIntVector
        || v instanceof UInt1Vector
        || v instanceof UInt2Vector
        || v instanceof UInt4Vector
        || v instanceof UInt8Vector
        || v instanceof DateDayVector
        || v instanceof TimeStampVector
        || v instanceof FixedSizeBinaryVector
        || v instanceof BaseVariableWidthVector
        || v instanceof BaseLargeVariableWidthVector;
  }

  /** A decoder for the given top-level columns (all must be {@link #supports supported}). */
  public static ColumnarParquetDecoder create(
      MessageType fileSchema, List<Type> types, List<FieldVector> vectors, String createdBy) {
    MessageType schema = new MessageType(fileSchema.getName(), types);
    List<ColumnDescriptor> columns = new ArrayList<>();
    for (Type type : types) {
      String[] path = leafPath(type);
      columns.add(schema.getColumnDescription(path));
    }
    return new ColumnarParquetDecoder(schema, vectors, columns, createdBy);
  }

  private static String[] leafPath(Type type) {
    if (type.isPrimitive()) {
      return new String[] {type.getName()};
    }
    GroupType list = type.asGroupType();
    GroupType repeated = list.getType(0).asGroupType();
    return new String[] {type.getName(), repeated.getName(), repeated.getType(0).getName()};
  }

  /** The Parquet schema this decoder reads. */
  public MessageType schema() {
    return schema;
  }

  /** Positions the readers at the start of a row group; {@code block} is its footer entry. */
  public void start(PageReadStore pages, BlockMetaData block) {
    ColumnReadStoreImpl store = new ColumnReadStoreImpl(pages, dummy(schema), schema, createdBy);
    readers = new ColumnReader[columns.size()];
    copiers = new BulkPageDecoder[columns.size()];
    consumed = new long[columns.size()];
    for (int i = 0; i < readers.length; i++) {
      ColumnDescriptor column = columns.get(i);
      FieldVector vector = vectors.get(i);
      ValueVector v = vector instanceof ExtensionTypeVector<?> e ? e.getUnderlyingVector() : vector;
      if (v instanceof FixedSizeListVector || !(v instanceof ListVector)) {
        copiers[i] =
            BulkPageDecoder.forChunk(
                pages.getPageReader(column), column, chunk(block, column), pages.getRowCount(), v);
      }
      if (copiers[i] == null) {
        readers[i] = store.getColumnReader(column);
      }
    }
  }

  private static ColumnChunkMetaData chunk(BlockMetaData block, ColumnDescriptor column) {
    if (block == null) {
      return null;
    }
    for (ColumnChunkMetaData chunk : block.getColumns()) {
      if (java.util.Arrays.equals(chunk.getPath().toArray(), column.getPath())) {
        return chunk;
      }
    }
    return null;
  }

  /** Decodes the next {@code rows} rows into the vectors (which were reset by the caller). */
  public void read(int rows) {
    for (int c = 0; c < readers.length; c++) {
      FieldVector vector = vectors.get(c);
      ValueVector v = vector instanceof ExtensionTypeVector<?> e ? e.getUnderlyingVector() : vector;
      if (copiers[c] != null) {
        copiers[c].read(v, rows);
        continue;
      }
      ColumnReader reader = readers[c];
      int maxDef = columns.get(c).getMaxDefinitionLevel();
      int optional = schema.getType(c).getRepetition() == Type.Repetition.OPTIONAL ? 1 : 0;
      if (v instanceof FixedSizeListVector list) {
        readFixedSizeList(reader, list, optional, maxDef, rows);
      } else if (v instanceof ListVector list) {
        consumed[c] = readList(reader, list, optional, maxDef, rows, consumed[c]);
      } else {
        for (int r = 0; r < rows; r++) {
          if (reader.getCurrentDefinitionLevel() == maxDef) {
            set(v, r, reader);
          }
          reader.consume();
        }
      }
    }
  }

  private static void readFixedSizeList(
      ColumnReader reader, FixedSizeListVector list, int optional, int maxDef, int rows) {
    int size = list.getListSize();
    ValueVector data = list.getDataVector();
    // A null list has definition level 0 when the list field is optional.
    int listPresent = optional;
    for (int r = 0; r < rows; r++) {
      if (listPresent == 1 && reader.getCurrentDefinitionLevel() == 0) {
        reader.consume();
        continue;
      }
      int base = list.startNewValue(r);
      for (int k = 0; k < size; k++) {
        if (k > 0 && reader.getCurrentRepetitionLevel() == 0) {
          throw new IllegalStateException(
              "Cannot read column '"
                  + list.getName()
                  + "': row "
                  + r
                  + " has "
                  + k
                  + " elements, the fixed-size list/tensor needs "
                  + size);
        }
        if (reader.getCurrentDefinitionLevel() == maxDef) {
          set(data, base + k, reader);
        }
        reader.consume();
      }
    }
  }

  /** Returns how many values of the column have been consumed in the row group so far. */
  private static long readList(
      ColumnReader reader, ListVector list, int optional, int maxDef, int rows, long consumed) {
    ValueVector data = list.getDataVector();
    int listPresent = optional;
    long total = reader.getTotalValueCount();
    for (int r = 0; r < rows; r++) {
      int def = reader.getCurrentDefinitionLevel();
      if (listPresent == 1 && def == 0) {
        reader.consume();
        consumed++;
        continue;
      }
      int offset = list.startNewValue(r);
      int count = 0;
      if (def == listPresent) {
        reader.consume(); // an empty list
        consumed++;
      } else {
        do {
          if (reader.getCurrentDefinitionLevel() == maxDef) {
            set(data, offset + count, reader);
          }
          count++;
          reader.consume();
          consumed++;
        } while (consumed < total && reader.getCurrentRepetitionLevel() > 0);
      }
      list.endValue(r, count);
    }
    return consumed;
  }

  private static void set(ValueVector v, int i, ColumnReader reader) {
    if (v instanceof Float4Vector x) {
      x.setSafe(i, reader.getFloat());
    } else if (v instanceof IntVector x) {
      x.setSafe(i, reader.getInteger());
    } else if (v instanceof BigIntVector x) {
      x.setSafe(i, reader.getLong());
    } else if (v instanceof Float8Vector x) {
      x.setSafe(i, reader.getDouble());
    } else if (v instanceof UInt1Vector x) {
      x.setSafe(i, reader.getInteger());
    } else if (v instanceof BitVector x) {
      x.setSafe(i, reader.getBoolean() ? 1 : 0);
    } else if (v instanceof TinyIntVector x) {
      x.setSafe(i, (byte) reader.getInteger());
    } else if (v instanceof SmallIntVector x) {
      x.setSafe(i, (short) reader.getInteger());
    } else if (v instanceof UInt2Vector x) {
      x.setSafe(i, reader.getInteger());
    } else if (v instanceof UInt4Vector x) {
      x.setSafe(i, reader.getInteger());
    } else if (v instanceof UInt8Vector x) {
      x.setSafe(i, reader.getLong());
    } else if (v instanceof DateDayVector x) {
      x.setSafe(i, reader.getInteger());
    } else if (v instanceof TimeStampVector x) {
      x.setSafe(i, reader.getLong());
    } else if (v instanceof FixedSizeBinaryVector x) {
      x.setSafe(i, reader.getBinary().getBytesUnsafe());
    } else if (v instanceof BaseVariableWidthVector x) {
      Binary b = reader.getBinary();
      ByteBuffer buffer = b.toByteBuffer();
      x.setSafe(i, buffer, buffer.position(), buffer.remaining());
    } else if (v instanceof BaseLargeVariableWidthVector x) {
      Binary b = reader.getBinary();
      ByteBuffer buffer = b.toByteBuffer();
      x.setSafe(i, buffer, buffer.position(), buffer.remaining());
    } else {
      throw new IllegalArgumentException("Cannot decode Parquet into " + v.getMinorType());
    }
  }

  /** ColumnReadStoreImpl wants a converter tree; values are read from the readers directly. */
  private static GroupConverter dummy(GroupType type) {
    Converter[] children = new Converter[type.getFieldCount()];
    for (int i = 0; i < children.length; i++) {
      Type child = type.getType(i);
      children[i] = child.isPrimitive() ? new PrimitiveConverter() {} : dummy(child.asGroupType());
    }
    return new GroupConverter() {
      @Override
      public Converter getConverter(int fieldIndex) {
        return children[fieldIndex];
      }

      @Override
      public void start() {}

      @Override
      public void end() {}
    };
  }
}
