package io.mlobj.spark;

import io.mlobj.Dataset;
import io.mlobj.MlobjErrors;
import io.mlobj.Snapshot;
import io.mlobj.spark.read.MlobjScanBuilder;
import io.mlobj.spark.types.SparkSchemas;
import io.mlobj.spark.write.MlobjWriteBuilder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.SupportsWrite;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.expressions.Expressions;
import org.apache.spark.sql.connector.expressions.NamedReference;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * One mlobj dataset as a Spark table. A table that is read is pinned to one version when it is
 * loaded (the latest, or the one chosen by time travel), so every scan of it sees the same data.
 */
public final class MlobjTable implements SupportsRead, SupportsWrite {
  private final String name;
  private final Dataset dataset;
  private final MlobjOptions options;
  private final Snapshot pinned;
  private final StructType writeSchema;
  private final List<String> partitioning;
  private final boolean byPath;

  /**
   * @param pinned the version reads see, or null when the dataset does not exist yet
   * @param writeSchema the schema of a dataset about to be created, used when {@code pinned} is
   *     null
   * @param byPath true for {@code format("mlobj")} tables (any input schema is accepted and checked
   *     by mlobj), false for catalog tables (Spark aligns INSERT columns to the table's)
   */
  public MlobjTable(
      String name,
      Dataset dataset,
      MlobjOptions options,
      Snapshot pinned,
      StructType writeSchema,
      List<String> partitioning,
      boolean byPath) {
    this.name = name;
    this.dataset = dataset;
    this.options = options;
    this.pinned = pinned;
    this.writeSchema = writeSchema == null ? new StructType() : writeSchema;
    this.partitioning = partitioning;
    this.byPath = byPath;
  }

  static List<String> columns(Transform[] partitioning) {
    List<String> out = new ArrayList<>();
    if (partitioning != null) {
      for (Transform t : partitioning) {
        for (NamedReference ref : t.references()) {
          out.add(String.join(".", ref.fieldNames()));
        }
      }
    }
    return out;
  }

  @Override
  public String name() {
    return name;
  }

  /** The dataset. */
  public Dataset dataset() {
    return dataset;
  }

  /** The pinned version, or null if the dataset does not exist yet. */
  public Snapshot snapshot() {
    return pinned;
  }

  /** The options the table was loaded with. */
  public MlobjOptions options() {
    return options;
  }

  /** Partition columns requested by the writer ({@code partitionBy}), or the dataset's. */
  public List<String> partitionColumns() {
    if (!partitioning.isEmpty()) {
      return partitioning;
    }
    if (!options.partitionBy().isEmpty()) {
      return options.partitionBy();
    }
    return pinned == null ? List.of() : pinned.partitionColumns();
  }

  @Override
  public StructType schema() {
    return pinned == null ? writeSchema : SparkSchemas.toSpark(pinned.schema());
  }

  @Override
  public Transform[] partitioning() {
    return partitionColumns().stream().map(Expressions::identity).toArray(Transform[]::new);
  }

  @Override
  public Map<String, String> properties() {
    Map<String, String> out = new HashMap<>();
    if (pinned != null) {
      out.putAll(pinned.properties());
      out.put("mlobj.version", String.valueOf(pinned.version()));
    }
    out.put("location", dataset.uri());
    out.put("provider", MlobjDataSource.NAME);
    return out;
  }

  @Override
  public Set<TableCapability> capabilities() {
    EnumSet<TableCapability> caps =
        EnumSet.of(
            TableCapability.BATCH_READ,
            TableCapability.BATCH_WRITE,
            TableCapability.MICRO_BATCH_READ,
            TableCapability.STREAMING_WRITE,
            TableCapability.TRUNCATE,
            TableCapability.OVERWRITE_BY_FILTER,
            TableCapability.OVERWRITE_DYNAMIC);
    if (byPath) {
      caps.add(TableCapability.ACCEPT_ANY_SCHEMA);
    }
    return caps;
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap scanOptions) {
    if (pinned == null) {
      throw MlobjErrors.datasetNotFound(dataset.uri());
    }
    Map<String, String> merged = new HashMap<>(options.rawOptions());
    merged.putAll(scanOptions.asCaseSensitiveMap());
    return new MlobjScanBuilder(this, MlobjOptions.parse(merged));
  }

  @Override
  public WriteBuilder newWriteBuilder(LogicalWriteInfo info) {
    Map<String, String> merged = new HashMap<>(options.rawOptions());
    merged.putAll(info.options().asCaseSensitiveMap());
    return new MlobjWriteBuilder(this, MlobjOptions.parse(merged), info);
  }

  @Override
  public String toString() {
    return "MlobjTable(" + (pinned == null ? dataset.uri() : pinned.toString()) + ")";
  }
}
