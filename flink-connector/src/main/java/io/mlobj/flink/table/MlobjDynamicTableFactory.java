package io.mlobj.flink.table;

import static io.mlobj.flink.table.MlobjOptions.COMPRESSION;
import static io.mlobj.flink.table.MlobjOptions.CONTINUOUS;
import static io.mlobj.flink.table.MlobjOptions.DISCOVERY_INTERVAL;
import static io.mlobj.flink.table.MlobjOptions.FORMAT;
import static io.mlobj.flink.table.MlobjOptions.PATH;
import static io.mlobj.flink.table.MlobjOptions.READ_BATCH_ROWS;
import static io.mlobj.flink.table.MlobjOptions.READ_SPLIT_ROWS;
import static io.mlobj.flink.table.MlobjOptions.SINK_ID;
import static io.mlobj.flink.table.MlobjOptions.START;
import static io.mlobj.flink.table.MlobjOptions.START_VERSION;
import static io.mlobj.flink.table.MlobjOptions.TAG;
import static io.mlobj.flink.table.MlobjOptions.TARGET_SHARD_SIZE;
import static io.mlobj.flink.table.MlobjOptions.TIMESTAMP;
import static io.mlobj.flink.table.MlobjOptions.VERIFY_CHECKSUMS;
import static io.mlobj.flink.table.MlobjOptions.VERSION;
import static io.mlobj.flink.table.MlobjOptions.WRITE_BATCH_ROWS;

import io.mlobj.Dataset;
import io.mlobj.MlobjException;
import io.mlobj.Settings;
import io.mlobj.Snapshot;
import io.mlobj.TimeTravel;
import io.mlobj.flink.sink.MlobjSink;
import io.mlobj.flink.source.StartPosition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The {@code 'connector' = 'mlobj'} table factory (source and sink).
 *
 * <pre>{@code
 * CREATE TABLE images (
 *   image ARRAY<FLOAT>, label INT, split STRING
 * ) WITH (
 *   'connector' = 'mlobj',
 *   'path' = 's3a://training/images',
 *   'tensor.image.shape' = '3,32,32',
 *   'fs.s3a.endpoint' = 'http://minio:9000',
 *   'fs.s3a.path.style.access' = 'true'
 * );
 * }</pre>
 *
 * See {@link MlobjOptions} for every option.
 */
public final class MlobjDynamicTableFactory
    implements DynamicTableSourceFactory, DynamicTableSinkFactory {
  /** The connector name used in DDL. */
  public static final String IDENTIFIER = "mlobj";

  @Override
  public String factoryIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Set<ConfigOption<?>> requiredOptions() {
    return Set.of(PATH);
  }

  @Override
  public Set<ConfigOption<?>> optionalOptions() {
    return Set.of(
        VERSION,
        TAG,
        TIMESTAMP,
        CONTINUOUS,
        DISCOVERY_INTERVAL,
        START,
        START_VERSION,
        READ_BATCH_ROWS,
        READ_SPLIT_ROWS,
        VERIFY_CHECKSUMS,
        FORMAT,
        COMPRESSION,
        TARGET_SHARD_SIZE,
        WRITE_BATCH_ROWS,
        SINK_ID);
  }

  @Override
  public DynamicTableSource createDynamicTableSource(Context context) {
    ReadableConfig options = validatedOptions(context);
    Map<String, String> conf = storageConf(context);
    String path = options.get(PATH);
    TimeTravel travel = timeTravel(options);
    boolean continuous = options.get(CONTINUOUS);
    DataType physical = context.getPhysicalRowDataType();
    return new MlobjDynamicTableSource(
        builder -> {
          builder
              .path(path)
              .conf(conf)
              .batchRows(options.get(READ_BATCH_ROWS))
              .verifyChecksums(options.get(VERIFY_CHECKSUMS))
              .timeTravel(travel);
          options.getOptional(READ_SPLIT_ROWS).ifPresent(builder::targetSplitRows);
          if (continuous) {
            builder.continuous(options.get(DISCOVERY_INTERVAL)).startFrom(options.get(START));
            if (options.get(START) == StartPosition.VERSION) {
              builder.startFromVersion(
                  options
                      .getOptional(START_VERSION)
                      .orElseThrow(
                          () ->
                              new MlobjException(
                                  MlobjException.Kind.INVALID_ARGUMENT,
                                  "Cannot use option 'continuous.start' = 'VERSION': option"
                                      + " 'continuous.start-version' is missing. Set it to the"
                                      + " version to start at.")));
            }
          }
          return builder;
        },
        physical);
  }

  /** The table's options, checked against the declared ones (storage pass-through keys aside). */
  private ReadableConfig validatedOptions(Context context) {
    FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
    helper.validateExcept(MlobjOptions.PASS_THROUGH);
    return helper.getOptions();
  }

  private static TimeTravel timeTravel(ReadableConfig options) {
    Map<String, String> travel = new HashMap<>();
    options.getOptional(VERSION).ifPresent(v -> travel.put("versionAsOf", String.valueOf(v)));
    options.getOptional(TAG).ifPresent(v -> travel.put("tag", v));
    options.getOptional(TIMESTAMP).ifPresent(v -> travel.put("timestampAsOf", v));
    return TimeTravel.fromOptions(travel);
  }

  @Override
  public DynamicTableSink createDynamicTableSink(Context context) {
    ReadableConfig options = validatedOptions(context);
    Map<String, String> conf = storageConf(context);
    RowType rowType = (RowType) context.getPhysicalRowDataType().getLogicalType();
    Dataset dataset = Dataset.at(options.get(PATH), conf);
    Schema existing = dataset.findLatest().map(Snapshot::schema).orElse(null);
    Map<String, String> tableOptions = context.getCatalogTable().getOptions();
    checkTensorColumns(tableOptions, rowType);
    Map<String, int[]> shapes = Settings.tensorShapes(tableOptions);
    Map<String, String> types = Settings.tensorTypes(tableOptions);
    List<Field> fields = new ArrayList<>();
    for (RowType.RowField column : rowType.getFields()) {
      String name = column.getName();
      Field known = null;
      if (existing != null) {
        known =
            existing.getFields().stream()
                .filter(f -> f.getName().equals(name))
                .findFirst()
                .orElse(null);
      }
      int[] shape = shapes.get(name);
      String type = types.get(name);
      if (known != null) {
        fields.add(known);
      } else {
        fields.add(
            ArrowTypes.toArrow(
                name,
                column.getType(),
                shape,
                type == null ? null : Settings.tensorElementType(name, type)));
      }
    }
    MlobjSink.Builder<RowData> builder =
        MlobjSink.<RowData>builder()
            .path(options.get(PATH))
            .conf(conf)
            .format(options.get(FORMAT))
            .targetShardSize(options.get(TARGET_SHARD_SIZE))
            .batchRows(options.get(WRITE_BATCH_ROWS))
            .sinkId(options.get(SINK_ID));
    options.getOptional(COMPRESSION).ifPresent(builder::compression);
    return new MlobjDynamicTableSink(builder, rowType, new Schema(fields));
  }

  private static void checkTensorColumns(Map<String, String> options, RowType rowType) {
    for (String key : options.keySet()) {
      boolean tensorKey = Settings.isTensorKey(key);
      if (!tensorKey && !key.startsWith(Settings.TENSOR_PREFIX)) {
        continue;
      }
      if (!tensorKey) {
        throw new MlobjException(
            MlobjException.Kind.INVALID_ARGUMENT,
            "Cannot use option '"
                + key
                + "': tensor options are 'tensor.<column>.shape' and 'tensor.<column>.type'.");
      }
      String column =
          Settings.TENSOR_SHAPE.matches(key)
              ? Settings.tensorShapes(Map.of(key, options.get(key))).keySet().iterator().next()
              : Settings.tensorTypes(Map.of(key, options.get(key))).keySet().iterator().next();
      if (!rowType.getFieldNames().contains(column)) {
        throw new MlobjException(
            MlobjException.Kind.INVALID_ARGUMENT,
            "Cannot use option '"
                + key
                + "': the table has no column '"
                + column
                + "'. Columns are "
                + rowType.getFieldNames()
                + ".");
      }
    }
  }

  /**
   * The storage settings ({@link Settings#isStorageKey}) of the job configuration, then of the DDL,
   * whose values win.
   */
  private static Map<String, String> storageConf(Context context) {
    Map<String, String> conf =
        new TreeMap<>(Settings.storageConf(context.getConfiguration().toMap()));
    conf.putAll(Settings.storageConf(context.getCatalogTable().getOptions()));
    return conf;
  }
}
