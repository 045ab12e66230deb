package io.mlobj.spark.catalog;

import io.mlobj.Dataset;
import io.mlobj.MlobjConf;
import io.mlobj.MlobjErrors;
import io.mlobj.Settings;
import io.mlobj.Snapshot;
import io.mlobj.TimeTravel;
import io.mlobj.spark.Datasets;
import io.mlobj.spark.MlobjOptions;
import io.mlobj.spark.MlobjTable;
import io.mlobj.spark.types.SparkSchemas;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.catalyst.analysis.NoSuchNamespaceException;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException;
import org.apache.spark.sql.connector.catalog.Column;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCatalog;
import org.apache.spark.sql.connector.catalog.TableChange;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * A Spark catalog whose tables are mlobj datasets under a warehouse prefix: table {@code db.t} of
 * catalog {@code ml} lives at {@code <warehouse>/db/t}.
 *
 * <pre>{@code
 * spark.sql.catalog.ml            = io.mlobj.spark.catalog.MlobjCatalog
 * spark.sql.catalog.ml.warehouse  = s3a://bucket/warehouse
 *
 * CREATE TABLE ml.db.images (id BIGINT, label INT, split STRING) USING mlobj PARTITIONED BY (split);
 * INSERT INTO ml.db.images VALUES (1, 3, 'train');
 * SELECT * FROM ml.db.images VERSION AS OF 2;
 * SELECT * FROM ml.db.images.history;   -- also .shards and .tags
 * }</pre>
 *
 * <p>Storage settings come from Spark's Hadoop configuration, overlaid with {@code fs.*} options of
 * the catalog ({@code spark.sql.catalog.ml.fs.s3a.endpoint}). {@code VERSION AS OF} takes a version
 * number or a tag name.
 */
public final class MlobjCatalog implements TableCatalog {
  private static final Set<String> RESERVED =
      Set.of("provider", "location", "owner", "comment", "external", "is_managed_location");

  private String name;
  private String warehouse;
  private MlobjOptions options;

  @Override
  public void initialize(String name, CaseInsensitiveStringMap config) {
    this.name = name;
    String wh = config.get("warehouse");
    if (wh == null || wh.isBlank()) {
      throw MlobjErrors.badOption(
          "spark.sql.catalog." + name + ".warehouse",
          String.valueOf(wh),
          "a URI prefix such as s3a://bucket/warehouse");
    }
    this.warehouse = wh.endsWith("/") ? wh.substring(0, wh.length() - 1) : wh;
    Map<String, String> opts = new HashMap<>();
    config
        .asCaseSensitiveMap()
        .forEach(
            (k, v) -> {
              if (Settings.isStorageKey(k) || k.startsWith(Settings.META_PREFIX)) {
                opts.put(k, v);
              }
            });
    this.options = MlobjOptions.parse(opts);
  }

  @Override
  public String name() {
    return name;
  }

  private String location(String[] namespace, String table) {
    StringBuilder out = new StringBuilder(warehouse);
    for (String part : namespace) {
      out.append('/').append(part);
    }
    return out.append('/').append(table).toString();
  }

  private Dataset dataset(Identifier ident) {
    return Datasets.handle(location(ident.namespace(), ident.name()), options.conf());
  }

  private MlobjTable table(Identifier ident, Dataset dataset, Snapshot snapshot) {
    return new MlobjTable(name + "." + ident, dataset, options, snapshot, null, List.of(), false);
  }

  @Override
  public Identifier[] listTables(String[] namespace) throws NoSuchNamespaceException {
    String prefix = location(namespace, "").replaceAll("/$", "");
    return Dataset.list(prefix, MlobjConf.of(options.conf())).stream()
        .map(n -> Identifier.of(namespace, n))
        .toArray(Identifier[]::new);
  }

  @Override
  public Table loadTable(Identifier ident) throws NoSuchTableException {
    Dataset dataset = dataset(ident);
    if (dataset.exists()) {
      return table(ident, dataset, dataset.latest());
    }
    MetadataTable.Kind kind = MetadataTable.Kind.of(ident.name());
    String[] ns = ident.namespace();
    if (kind != null && ns.length >= 1) {
      Identifier parent = Identifier.of(Arrays.copyOf(ns, ns.length - 1), ns[ns.length - 1]);
      Dataset parentDataset = dataset(parent);
      if (parentDataset.exists()) {
        return new MetadataTable(name + "." + ident, parentDataset, kind);
      }
    }
    throw new NoSuchTableException(ident);
  }

  @Override
  public Table loadTable(Identifier ident, String version) throws NoSuchTableException {
    Dataset dataset = existing(ident);
    String v = version.trim();
    Snapshot snapshot =
        v.chars().allMatch(Character::isDigit)
            ? dataset.version(Long.parseLong(v))
            : dataset.snapshot(TimeTravel.tag(v));
    return table(ident, dataset, snapshot);
  }

  @Override
  public Table loadTable(Identifier ident, long timestampMicros) throws NoSuchTableException {
    Dataset dataset = existing(ident);
    return table(ident, dataset, dataset.asOf(timestampMicros / 1000));
  }

  private Dataset existing(Identifier ident) throws NoSuchTableException {
    Dataset dataset = dataset(ident);
    if (!dataset.exists()) {
      throw new NoSuchTableException(ident);
    }
    return dataset;
  }

  @Override
  public boolean tableExists(Identifier ident) {
    return dataset(ident).exists();
  }

  @Override
  public Table createTable(
      Identifier ident, Column[] columns, Transform[] partitions, Map<String, String> properties)
      throws TableAlreadyExistsException {
    List<StructField> fields = new ArrayList<>();
    for (Column c : columns) {
      fields.add(
          new StructField(
              c.name(),
              c.dataType(),
              c.nullable(),
              c.metadataInJSON() == null
                  ? org.apache.spark.sql.types.Metadata.empty()
                  : org.apache.spark.sql.types.Metadata.fromJson(c.metadataInJSON())));
    }
    return createTable(
        ident, new StructType(fields.toArray(StructField[]::new)), partitions, properties);
  }

  @Override
  public Table createTable(
      Identifier ident, StructType schema, Transform[] partitions, Map<String, String> properties)
      throws TableAlreadyExistsException {
    Dataset dataset = dataset(ident);
    if (dataset.exists()) {
      throw new TableAlreadyExistsException(ident);
    }
    Map<String, String> props = new HashMap<>();
    Map<String, String> tableOptions = new HashMap<>();
    properties.forEach(
        (k, v) -> {
          if (k.startsWith("option.")) {
            tableOptions.put(k.substring("option.".length()), v);
          } else if (!RESERVED.contains(k)) {
            props.put(k, v);
          }
        });
    MlobjOptions parsed = MlobjOptions.parse(tableOptions);
    Map<String, int[]> shapes = MlobjOptions.byColumn(parsed.tensorShapes(), schema.fieldNames());
    Map<String, String> elements =
        MlobjOptions.byColumn(parsed.tensorElements(), schema.fieldNames());
    List<String> partitionColumns = new ArrayList<>();
    for (Transform t : partitions) {
      if (!t.name().equals("identity")) {
        throw MlobjErrors.badOption(
            "PARTITIONED BY", t.describe(), "plain columns (identity partitioning)");
      }
      partitionColumns.add(String.join(".", t.references()[0].fieldNames()));
    }
    Dataset created =
        Dataset.create(
            dataset.uri(),
            options.conf(),
            SparkSchemas.toArrow(schema, null, shapes, elements),
            partitionColumns,
            props);
    return table(ident, created, created.latest());
  }

  @Override
  public Table alterTable(Identifier ident, TableChange... changes) {
    throw new UnsupportedOperationException(
        "Cannot alter table "
            + ident
            + ": mlobj tables change schema by writing (new nullable columns are merged on"
            + " append). Write the new columns, or overwrite with option overwriteSchema=true.");
  }

  @Override
  public boolean dropTable(Identifier ident) {
    Dataset dataset = dataset(ident);
    if (!dataset.exists()) {
      return false;
    }
    dataset.drop();
    Datasets.forget(dataset.uri());
    Datasets.forget(location(ident.namespace(), ident.name()));
    return true;
  }

  @Override
  public void renameTable(Identifier from, Identifier to) {
    throw new UnsupportedOperationException(
        "Cannot rename table "
            + from
            + ": object stores cannot rename a prefix atomically. Copy it with"
            + " CREATE TABLE ... AS SELECT and drop the old one.");
  }
}
