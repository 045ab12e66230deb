package io.mlobj.arrow;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * A vector of {@link FixedShapeTensorType} values over its FixedSizeList storage.
 *
 * <p>Stable API.
 */
public final class FixedShapeTensorVector extends ExtensionTypeVector<FixedSizeListVector> {
  private final FixedShapeTensorType type;
  private final boolean nullable;

  public FixedShapeTensorVector(
      String name, BufferAllocator allocator, FixedShapeTensorType type, boolean nullable) {
    super(name, allocator, storage(name, allocator, type, nullable));
    this.type = type;
    this.nullable = nullable;
  }

  private static FixedSizeListVector storage(
      String name, BufferAllocator allocator, FixedShapeTensorType type, boolean nullable) {
    FixedSizeListVector vector =
        new FixedSizeListVector(
            name, allocator, new FieldType(nullable, type.storageType(), null), null);
    // Children come from the field: Field.createVector initialises them after construction.
    return vector;
  }

  /** The tensor type. */
  public FixedShapeTensorType tensorType() {
    return type;
  }

  /** The flat element vector (row-major tensors one after another). */
  public FieldVector values() {
    return (FieldVector) getUnderlyingVector().getDataVector();
  }

  @Override
  public Object getObject(int index) {
    return getUnderlyingVector().getObject(index);
  }

  @Override
  public int hashCode(int index) {
    return getUnderlyingVector().hashCode(index);
  }

  @Override
  public int hashCode(int index, org.apache.arrow.memory.util.hash.ArrowBufHasher hasher) {
    return getUnderlyingVector().hashCode(index, hasher);
  }

  @Override
  public void copyFrom(int fromIndex, int thisIndex, org.apache.arrow.vector.ValueVector from) {
    getUnderlyingVector().copyFrom(fromIndex, thisIndex, storageOf(from));
  }

  @Override
  public void copyFromSafe(int fromIndex, int thisIndex, org.apache.arrow.vector.ValueVector from) {
    getUnderlyingVector().copyFromSafe(fromIndex, thisIndex, storageOf(from));
  }

  private static org.apache.arrow.vector.ValueVector storageOf(
      org.apache.arrow.vector.ValueVector from) {
    return from instanceof ExtensionTypeVector<?> ext ? ext.getUnderlyingVector() : from;
  }

  @Override
  public Field getField() {
    // Re-wrap the extension type: the storage vector only knows its FixedSizeList field.
    return new Field(
        getName(),
        new FieldType(nullable, type, null),
        getUnderlyingVector().getField().getChildren());
  }
}
