package io.mlobj.spark.registry;

import java.util.Map;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * {@code format("mlobj-registry")}: the checkpoint registry's metadata as a Spark table, so the
 * same questions {@code mlobj query} answers can be asked in SQL.
 *
 * <pre>{@code
 * spark.read().format("mlobj-registry")
 *     .option("registry", "s3a://ml/registry")
 *     .option("query", "checkpoints tagged tested trained on s3a://ml/images at version 3")
 *     .load()
 *     .createOrReplaceTempView("tested");
 * spark.sql("SELECT name, version, metadata['loss'] FROM tested ORDER BY metadata['loss']");
 * }</pre>
 *
 * <p>With {@code query}, rows come from the registry's index (no scan of the registry); without it,
 * every checkpoint of every model is listed. Storage settings come from the session's Hadoop
 * configuration and {@code fs.s3a.*} options, as for {@code format("mlobj")}.
 */
public final class MlobjRegistrySource implements TableProvider, DataSourceRegister {
  @Override
  public String shortName() {
    return "mlobj-registry";
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    return RegistryRows.SCHEMA;
  }

  @Override
  public Table getTable(
      StructType schema, Transform[] partitioning, Map<String, String> properties) {
    return new RegistryTable(properties);
  }

  @Override
  public boolean supportsExternalMetadata() {
    return false;
  }
}
