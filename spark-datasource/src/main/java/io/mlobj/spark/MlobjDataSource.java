package io.mlobj.spark;

import io.mlobj.Dataset;
import io.mlobj.Snapshot;
import io.mlobj.spark.types.SparkSchemas;
import java.util.Map;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Expressions;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * {@code format("mlobj")}: reads and writes mlobj datasets by URI. The schema always comes from the
 * dataset's version log, never from scanning data.
 *
 * <pre>{@code
 * Dataset<Row> df = spark.read().format("mlobj").option("versionAsOf", 3).load("s3a://b/images");
 * df.write().format("mlobj").mode("append").option("mlobj.meta.owner", "vision")
 *     .partitionBy("split").save("s3a://b/images-normalized");
 * }</pre>
 */
public final class MlobjDataSource implements TableProvider, DataSourceRegister {
  /** The short name. */
  public static final String NAME = "mlobj";

  @Override
  public String shortName() {
    return NAME;
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    MlobjOptions parsed = MlobjOptions.parse(options.asCaseSensitiveMap());
    Dataset dataset = Datasets.handle(parsed.path(), parsed.conf());
    if (!dataset.exists()) {
      // A write creates it; a read fails in MlobjTable with the kernel's message.
      return new StructType();
    }
    return SparkSchemas.toSpark(dataset.snapshot(parsed.timeTravel()).schema());
  }

  @Override
  public Transform[] inferPartitioning(CaseInsensitiveStringMap options) {
    MlobjOptions parsed = MlobjOptions.parse(options.asCaseSensitiveMap());
    Dataset dataset = Datasets.handle(parsed.path(), parsed.conf());
    if (!dataset.exists()) {
      return new Transform[0];
    }
    return dataset.latest().partitionColumns().stream()
        .map(Expressions::identity)
        .toArray(Transform[]::new);
  }

  /** Accepts the writer's schema and partitioning, so writes need no inference. */
  @Override
  public boolean supportsExternalMetadata() {
    return true;
  }

  @Override
  public Table getTable(
      StructType schema, Transform[] partitioning, Map<String, String> properties) {
    MlobjOptions parsed = MlobjOptions.parse(properties);
    Dataset dataset = Datasets.handle(parsed.path(), parsed.conf());
    Snapshot pinned = dataset.exists() ? dataset.snapshot(parsed.timeTravel()) : null;
    return new MlobjTable(
        dataset.uri(), dataset, parsed, pinned, schema, MlobjTable.columns(partitioning), true);
  }
}
