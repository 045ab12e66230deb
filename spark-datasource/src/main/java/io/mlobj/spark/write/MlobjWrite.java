package io.mlobj.spark.write;

import io.mlobj.Dataset;
import io.mlobj.MlobjErrors;
import io.mlobj.Predicate;
import io.mlobj.Snapshot;
import io.mlobj.spark.MlobjOptions;
import io.mlobj.spark.MlobjTable;
import io.mlobj.spark.types.SparkSchemas;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.connector.write.BatchWrite;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.Write;
import org.apache.spark.sql.connector.write.streaming.StreamingWrite;
import org.apache.spark.sql.types.StructType;

/**
 * A validated write: the Arrow schema the shards get, the partition columns, and the version the
 * write is based on. Schema problems fail here, on the driver, before any task runs.
 */
final class MlobjWrite implements Write {
  private final MlobjTable table;
  private final MlobjOptions options;
  private final LogicalWriteInfo info;
  private final WriteMode mode;
  private final Predicate overwriteWhere;
  private final Dataset dataset;
  private final Snapshot base;
  private final Schema schema;
  private final List<String> partitionBy;

  MlobjWrite(
      MlobjTable table,
      MlobjOptions options,
      LogicalWriteInfo info,
      WriteMode mode,
      Predicate overwriteWhere) {
    this.table = table;
    this.options = options;
    this.info = info;
    this.mode = mode;
    this.overwriteWhere = overwriteWhere;
    this.dataset = table.dataset();
    this.base = dataset.findLatest().orElse(null);
    StructType input = info.schema();
    Map<String, int[]> shapes = MlobjOptions.byColumn(options.tensorShapes(), input.fieldNames());
    Map<String, String> elements =
        MlobjOptions.byColumn(options.tensorElements(), input.fieldNames());
    boolean replacing = mode == WriteMode.OVERWRITE_ALL && options.overwriteSchema();
    this.schema =
        SparkSchemas.toArrow(
            input, base == null || replacing ? null : base.schema(), shapes, elements);
    if (base != null && !replacing) {
      base.mergeSchema(schema); // fails before any task runs, with the kernel's wording
    }
    if (base != null) {
      List<String> requested = options.partitionBy();
      if (!requested.isEmpty() && !requested.equals(base.partitionColumns())) {
        throw MlobjErrors.badOption(
            "partitionBy",
            String.join(",", requested),
            "the dataset's partition columns " + base.partitionColumns());
      }
      this.partitionBy = base.partitionColumns();
    } else {
      this.partitionBy = table.partitionColumns();
    }
  }

  @Override
  public String description() {
    return "mlobj " + mode.name().toLowerCase() + " to " + dataset.uri();
  }

  @Override
  public BatchWrite toBatch() {
    return new MlobjBatchWrite(committer(), factory());
  }

  @Override
  public StreamingWrite toStreaming() {
    return new MlobjStreamingWrite(committer(), factory(), info.queryId());
  }

  private ShardCommitter committer() {
    return new ShardCommitter(
        dataset,
        base == null ? 0 : base.version(),
        mode,
        overwriteWhere,
        schema,
        partitionBy,
        options.overwriteSchema(),
        options.summary());
  }

  private MlobjWriterFactory factory() {
    return new MlobjWriterFactory(
        dataset.uri(),
        options.conf(),
        schema,
        info.schema(),
        options.writerOptions(),
        partitionBy,
        options.writeBatchRows());
  }
}
