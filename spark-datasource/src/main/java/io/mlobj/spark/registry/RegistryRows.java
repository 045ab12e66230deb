package io.mlobj.spark.registry;

import io.mlobj.MlobjErrors;
import io.mlobj.registry.Checkpoint;
import io.mlobj.registry.CheckpointRegistry;
import io.mlobj.registry.QueryHit;
import io.mlobj.spark.MlobjOptions;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayBasedMapData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/** Runs a registry query on the driver and turns its hits into Spark rows. */
final class RegistryRows {
  /** kind, name, version, ref, tags, lineage, metadata, created_millis, user. */
  static final StructType SCHEMA =
      new StructType()
          .add("kind", DataTypes.StringType, false)
          .add("name", DataTypes.StringType, false)
          .add("version", DataTypes.LongType, false)
          .add("ref", DataTypes.StringType, false)
          .add("tags", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add("lineage", DataTypes.createArrayType(DataTypes.StringType, false), false)
          .add(
              "metadata",
              DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, false),
              false)
          .add("created_millis", DataTypes.LongType, true)
          .add("user", DataTypes.StringType, true);

  /** One hit, in plain serializable form (rows travel to the executor in the partition). */
  record Hit(
      String kind,
      String name,
      long version,
      String ref,
      List<String> tags,
      List<String> lineage,
      Map<String, String> metadata,
      Long createdMillis,
      String user)
      implements Serializable {
    InternalRow toRow() {
      return new GenericInternalRow(
          new Object[] {
            UTF8String.fromString(kind),
            UTF8String.fromString(name),
            version,
            UTF8String.fromString(ref),
            strings(tags),
            strings(lineage),
            map(metadata),
            createdMillis,
            user == null ? null : UTF8String.fromString(user)
          });
    }

    private static GenericArrayData strings(List<String> values) {
      return new GenericArrayData(values.stream().map(UTF8String::fromString).toArray());
    }

    private static ArrayBasedMapData map(Map<String, String> values) {
      List<String> keys = new ArrayList<>(values.keySet());
      return new ArrayBasedMapData(
          new GenericArrayData(keys.stream().map(UTF8String::fromString).toArray()),
          new GenericArrayData(
              keys.stream().map(k -> UTF8String.fromString(values.get(k))).toArray()));
    }
  }

  private RegistryRows() {}

  static List<Hit> load(Map<String, String> options) {
    Map<String, String> lower = new HashMap<>();
    options.forEach((k, v) -> lower.put(k.toLowerCase(java.util.Locale.ROOT), v));
    String root = lower.get("registry");
    if (root == null || root.isBlank()) {
      throw MlobjErrors.badOption(
          "registry",
          String.valueOf(root),
          "the registry URI, e.g. option(\"registry\", \"s3a://ml/registry\")");
    }
    Map<String, String> conf = MlobjOptions.storageConf(options);
    List<Hit> hits = new ArrayList<>();
    try (CheckpointRegistry registry = CheckpointRegistry.open(root, conf)) {
      String query = lower.get("query");
      if (query != null && !query.isBlank()) {
        for (QueryHit hit : registry.query().parse(query).run()) {
          hits.add(of(hit));
        }
      } else {
        for (String model : registry.models()) {
          for (Checkpoint checkpoint : registry.list(model)) {
            hits.add(of(checkpoint));
          }
        }
      }
    }
    return hits;
  }

  private static Hit of(QueryHit hit) {
    if (hit.checkpoint() != null) {
      return of(hit.checkpoint());
    }
    return new Hit(
        hit.kind().name().toLowerCase(java.util.Locale.ROOT),
        hit.name(),
        hit.version(),
        hit.ref(),
        List.of(),
        io.mlobj.Lineage.split(hit.properties().get(io.mlobj.Lineage.SOURCES)),
        hit.properties(),
        null,
        null);
  }

  private static Hit of(Checkpoint c) {
    return new Hit(
        "checkpoint",
        c.model(),
        c.version(),
        c.ref(),
        List.copyOf(c.tags()),
        c.lineage(),
        c.metadata(),
        c.createdMillis(),
        c.user());
  }
}
