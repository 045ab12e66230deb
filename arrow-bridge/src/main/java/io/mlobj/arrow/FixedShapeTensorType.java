package io.mlobj.arrow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.ExtensionTypeRegistry;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * The canonical Arrow extension type {@code arrow.fixed_shape_tensor}: every value is a tensor of
 * the same shape, stored row-major as a {@code FixedSizeList<value type>(prod(shape))}. Metadata is
 * JSON {@code {"shape":[...]}} with optional {@code dim_names} and {@code permutation} (pyarrow
 * always writes the latter). Arrow Java 19 has no implementation, so this is ours; pyarrow and
 * other Arrow libraries read it natively.
 *
 * <p>Stable API.
 */
public final class FixedShapeTensorType extends ArrowType.ExtensionType {
  /** The extension name. */
  public static final String NAME = "arrow.fixed_shape_tensor";

  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    ExtensionTypeRegistry.register(new FixedShapeTensorType(null, new int[] {1}));
  }

  private final ArrowType valueType;
  private final int[] shape;
  private final int[] permutation;
  private final java.util.List<String> dimNames;

  public FixedShapeTensorType(ArrowType valueType, int[] shape) {
    this(valueType, shape, null, null);
  }

  public FixedShapeTensorType(
      ArrowType valueType, int[] shape, int[] permutation, java.util.List<String> dimNames) {
    if (shape.length == 0) {
      throw new IllegalArgumentException("Cannot create a tensor type: the shape is empty.");
    }
    for (int d : shape) {
      if (d <= 0) {
        throw new IllegalArgumentException(
            "Cannot create a tensor type of shape "
                + Arrays.toString(shape)
                + ": every dimension must be positive.");
      }
    }
    this.valueType = valueType;
    this.shape = shape.clone();
    this.permutation = permutation == null ? null : permutation.clone();
    this.dimNames = dimNames == null ? null : java.util.List.copyOf(dimNames);
  }

  /** Makes sure the type is registered, so IPC and Parquet readers restore it. */
  public static void ensureRegistered() {
    // Registration happens in the static initialiser; calling this forces class loading.
  }

  /** A nullable field of this type named {@code name}. */
  public static Field field(String name, ArrowType valueType, int... shape) {
    FixedShapeTensorType type = new FixedShapeTensorType(valueType, shape);
    return new Field(name, FieldType.nullable(type), type.storageChildren());
  }

  /**
   * The element type, e.g. {@code FloatingPoint(SINGLE)}; null when the type was read from a file
   * (the element type is the storage field's child then): use {@link #of(Field)}.
   */
  public ArrowType valueType() {
    return valueType;
  }

  /** The tensor type of a field, with the element type taken from its storage child. */
  public static FixedShapeTensorType of(Field field) {
    if (!(field.getType() instanceof FixedShapeTensorType t)) {
      throw new IllegalArgumentException("Field " + field.getName() + " is not a tensor field");
    }
    if (t.valueType != null || field.getChildren().isEmpty()) {
      return t;
    }
    return t.withValueType(field.getChildren().get(0).getType());
  }

  /** The tensor shape. */
  public int[] shape() {
    return shape.clone();
  }

  /** Number of elements in one tensor: the product of the shape. */
  public int size() {
    int n = 1;
    for (int d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  @Override
  public ArrowType storageType() {
    return new ArrowType.FixedSizeList(size());
  }

  /** The children of the storage field: one non-nullable {@code item} of the value type. */
  public java.util.List<Field> storageChildren() {
    if (valueType == null) {
      throw new IllegalStateException("Tensor type without element type: use of(Field)");
    }
    return java.util.List.of(new Field("item", FieldType.notNullable(valueType), null));
  }

  @Override
  public String extensionName() {
    return NAME;
  }

  @Override
  public boolean extensionEquals(ExtensionType other) {
    return other instanceof FixedShapeTensorType t
        && Arrays.equals(shape, t.shape)
        && (valueType == null || t.valueType == null || valueType.equals(t.valueType));
  }

  @Override
  public String serialize() {
    ObjectNode node = JSON.createObjectNode();
    node.putPOJO("shape", shape);
    if (permutation != null) {
      node.putPOJO("permutation", permutation);
    }
    if (dimNames != null) {
      node.putPOJO("dim_names", dimNames);
    }
    return node.toString();
  }

  @Override
  public ArrowType deserialize(ArrowType storageType, String serializedData) {
    if (!(storageType instanceof ArrowType.FixedSizeList list)) {
      throw new IllegalArgumentException(
          "Cannot read " + NAME + ": storage must be a FixedSizeList, found " + storageType);
    }
    try {
      JsonNode node = JSON.readTree(serializedData);
      int[] parsedShape = ints(node.get("shape"));
      int[] parsedPermutation = node.has("permutation") ? ints(node.get("permutation")) : null;
      java.util.List<String> names = null;
      if (node.has("dim_names")) {
        names = new ArrayList<>();
        for (JsonNode n : node.get("dim_names")) {
          names.add(n.asText());
        }
      }
      // The value type lives in the storage field's child, which this method cannot see; it
      // stays null here and is taken from the field (see of(Field)).
      FixedShapeTensorType type =
          new FixedShapeTensorType(null, parsedShape, parsedPermutation, names);
      if (type.size() != list.getListSize()) {
        throw new IllegalArgumentException(
            "Cannot read "
                + NAME
                + ": shape "
                + Arrays.toString(parsedShape)
                + " has "
                + type.size()
                + " elements but the storage list size is "
                + list.getListSize());
      }
      return type;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(
          "Cannot read " + NAME + " metadata '" + serializedData + "': " + e.getOriginalMessage(),
          e);
    }
  }

  /** The same tensor type with the element type taken from the storage field. */
  public FixedShapeTensorType withValueType(ArrowType value) {
    return new FixedShapeTensorType(value, shape, permutation, dimNames);
  }

  private static int[] ints(JsonNode array) {
    if (array == null || !array.isArray()) {
      throw new IllegalArgumentException("Cannot read " + NAME + " metadata: 'shape' is missing");
    }
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  @Override
  public FieldVector getNewVector(String name, FieldType fieldType, BufferAllocator allocator) {
    return new FixedShapeTensorVector(name, allocator, this, fieldType.isNullable());
  }

  /** {@code tensor<float32>[4,4]}: the element type in Arrow's short names and the shape. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("tensor<").append(elementName(valueType)).append(">[");
    for (int i = 0; i < shape.length; i++) {
      out.append(i == 0 ? "" : ",").append(shape[i]);
    }
    return out.append(']').toString();
  }

  private static String elementName(ArrowType type) {
    if (type == null) {
      return "?";
    }
    String numeric = numericName(type);
    return numeric != null ? numeric : type.toString().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The numpy-style name of an integer, floating-point or boolean Arrow type ({@code int64}, {@code
   * uint8}, {@code float32}, {@code bool}), the names tensor element types go by in mlobj's
   * options, schemas and the feed; {@code null} for any other type.
   */
  public static String numericName(ArrowType type) {
    if (type instanceof ArrowType.Int i) {
      return (i.getIsSigned() ? "int" : "uint") + i.getBitWidth();
    }
    if (type instanceof ArrowType.FloatingPoint f) {
      return switch (f.getPrecision()) {
        case HALF -> "float16";
        case SINGLE -> "float32";
        case DOUBLE -> "float64";
      };
    }
    if (type instanceof ArrowType.Bool) {
      return "bool";
    }
    return null;
  }

  /**
   * The schema with every tensor field's element type restored from its storage child: Arrow's
   * extension registry deserializes the type from metadata alone, which does not hold the element
   * type, so schemas read back from IPC or Parquet would otherwise carry {@code tensor<?>}.
   */
  public static org.apache.arrow.vector.types.pojo.Schema withValueTypes(
      org.apache.arrow.vector.types.pojo.Schema schema) {
    java.util.List<Field> fields = new ArrayList<>();
    for (Field field : schema.getFields()) {
      fields.add(withValueTypes(field));
    }
    return new org.apache.arrow.vector.types.pojo.Schema(fields, schema.getCustomMetadata());
  }

  private static Field withValueTypes(Field field) {
    java.util.List<Field> children = new ArrayList<>();
    for (Field child : field.getChildren()) {
      children.add(withValueTypes(child));
    }
    FieldType type = field.getFieldType();
    if (field.getType() instanceof FixedShapeTensorType t && t.valueType == null) {
      type = new FieldType(type.isNullable(), of(field), type.getDictionary(), type.getMetadata());
    }
    return new Field(field.getName(), type, children);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FixedShapeTensorType t && extensionEquals(t);
  }
}
