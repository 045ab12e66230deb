package io.mlobj.spark.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.arrow.FixedShapeTensorType;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class SparkSchemasTest {
  private static final ArrowType UINT8 = new ArrowType.Int(8, false);
  private static final ArrowType FLOAT32 =
      new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);

  @Test
  void tensorsBecomeArraysWithShapeMetadataAndMapBack() {
    Schema dataset =
        new Schema(
            List.of(
                Field.notNullable("id", new ArrowType.Int(64, true)),
                FixedShapeTensorType.field("image", UINT8, 3, 32, 32),
                Field.nullable("jpeg", ArrowType.Binary.INSTANCE)));
    StructType spark = SparkSchemas.toSpark(dataset);
    StructField image = spark.apply("image");
    assertThat(image.dataType()).isEqualTo(new ArrayType(DataTypes.ShortType, false));
    assertThat(image.metadata().getString(SparkSchemas.TENSOR_SHAPE)).isEqualTo("3,32,32");
    assertThat(image.metadata().getString(SparkSchemas.TENSOR_ELEMENT)).isEqualTo("uint8");
    assertThat(spark.apply("jpeg").dataType()).isEqualTo(DataTypes.BinaryType);

    // Without the dataset (a new one), the metadata alone restores the tensor type.
    Schema back = SparkSchemas.toArrow(spark, null, Map.of(), Map.of());
    FixedShapeTensorType tensor = FixedShapeTensorType.of(back.findField("image"));
    assertThat(tensor.shape()).containsExactly(3, 32, 32);
    assertThat(tensor.valueType()).isEqualTo(UINT8);
  }

  @Test
  void declaredShapesTurnArraysAndMlVectorsIntoTensors() {
    StructType spark =
        new StructType()
            .add("pixels", DataTypes.createArrayType(DataTypes.FloatType))
            .add("features", SQLDataTypes.VectorType());
    Schema arrow =
        SparkSchemas.toArrow(
            spark, null, Map.of("pixels", new int[] {2, 2}, "features", new int[] {4}), Map.of());
    assertThat(FixedShapeTensorType.of(arrow.findField("pixels")).valueType()).isEqualTo(FLOAT32);
    assertThat(FixedShapeTensorType.of(arrow.findField("features")).shape()).containsExactly(4);
    assertThatThrownBy(() -> SparkSchemas.toArrow(spark, null, Map.of(), Map.of()))
        .hasMessageContaining("tensor.features.shape");
  }

  @Test
  void badShapesAndElementTypesAreRejectedWithTheOptionName() {
    assertThatThrownBy(() -> SparkSchemas.parseShape("image", "3,-1"))
        .hasMessageContaining("Cannot use option 'tensor.image.shape' = '3,-1'");
    assertThat(SparkSchemas.parseShape("image", "[3, 32, 32]")).containsExactly(3, 32, 32);
    assertThat(SparkSchemas.parseShape("image", "3x32x32")).containsExactly(3, 32, 32);
    assertThatThrownBy(() -> SparkSchemas.elementType("image", "complex64"))
        .hasMessageContaining("tensor.image.type");
    assertThatThrownBy(
            () ->
                SparkSchemas.toArrow(
                    new StructType().add("amount", DataTypes.createDecimalType(10, 2)),
                    null,
                    Map.of(),
                    Map.of()))
        .hasMessageContaining("Cannot write column 'amount' of type decimal(10,2)");
  }
}
