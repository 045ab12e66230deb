package io.mlobj.internal.commit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Decides whether data of one schema may be added to a dataset of another, and what the dataset's
 * schema becomes: new columns must be nullable and go last, existing columns keep their type
 * (nullability may widen), and columns the data lacks must be nullable.
 */
public final class SchemaEvolution {
  private SchemaEvolution() {}

  /** The merged schema, or throws {@link IllegalArgumentException} with the reason. */
  public static Schema merge(Schema dataset, Schema incoming) {
    Map<String, Field> incomingByName = new LinkedHashMap<>();
    for (Field f : incoming.getFields()) {
      incomingByName.put(f.getName(), f);
    }
    List<Field> merged = new ArrayList<>();
    for (Field existing : dataset.getFields()) {
      Field other = incomingByName.remove(existing.getName());
      if (other == null) {
        if (!existing.isNullable()) {
          throw new IllegalArgumentException(
              "column '"
                  + existing.getName()
                  + "' is NOT NULL in the dataset but missing from the data");
        }
        merged.add(existing);
        continue;
      }
      if (!sameType(existing, other)) {
        throw new IllegalArgumentException(
            "column '"
                + existing.getName()
                + "' is "
                + describe(existing)
                + " in the dataset but "
                + describe(other)
                + " in the data");
      }
      boolean nullable = existing.isNullable() || other.isNullable();
      merged.add(
          nullable == existing.isNullable()
              ? existing
              : new Field(
                  existing.getName(),
                  new FieldType(
                      true, existing.getType(), existing.getDictionary(), existing.getMetadata()),
                  existing.getChildren()));
    }
    for (Field added : incomingByName.values()) {
      if (!added.isNullable()) {
        throw new IllegalArgumentException(
            "new column '" + added.getName() + "' is NOT NULL; new columns must be nullable");
      }
      merged.add(added);
    }
    return new Schema(merged, dataset.getCustomMetadata());
  }

  /** Same type, recursively; tensor element types are compared through the storage child. */
  public static boolean sameType(Field a, Field b) {
    if (!a.getType().equals(b.getType())) {
      return false;
    }
    if (a.getChildren().size() != b.getChildren().size()) {
      return false;
    }
    for (int i = 0; i < a.getChildren().size(); i++) {
      Field x = a.getChildren().get(i);
      Field y = b.getChildren().get(i);
      boolean structChild =
          a.getType() instanceof org.apache.arrow.vector.types.pojo.ArrowType.Struct;
      if ((structChild && !x.getName().equals(y.getName())) || !sameType(x, y)) {
        return false;
      }
    }
    return true;
  }

  private static String describe(Field f) {
    StringBuilder out = new StringBuilder(f.getType().toString());
    if (!f.getChildren().isEmpty()) {
      out.append('<');
      for (int i = 0; i < f.getChildren().size(); i++) {
        out.append(i == 0 ? "" : ", ").append(describe(f.getChildren().get(i)));
      }
      out.append('>');
    }
    return out.toString();
  }
}
