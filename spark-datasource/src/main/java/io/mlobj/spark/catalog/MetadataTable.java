package io.mlobj.spark.catalog;

import io.mlobj.ColumnStats;
import io.mlobj.Dataset;
import io.mlobj.Shard;
import io.mlobj.Snapshot;
import io.mlobj.Tag;
import io.mlobj.VersionSummary;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayBasedMapData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * Read-only views of a dataset's metadata, addressed as {@code <table>.history}, {@code
 * <table>.shards} and {@code <table>.tags}. Rows are computed on the driver from the version log
 * (small) and shipped in one partition.
 */
public final class MetadataTable implements SupportsRead {
  /** The kinds of metadata tables. */
  public enum Kind {
    HISTORY,
    SHARDS,
    TAGS;

    /** The kind named {@code name}, or null. */
    static Kind of(String name) {
      for (Kind k : values()) {
        if (k.name().equalsIgnoreCase(name)) {
          return k;
        }
      }
      return null;
    }
  }

  private static final StructType HISTORY =
      new StructType()
          .add("version", DataTypes.LongType, false)
          .add("timestamp", DataTypes.TimestampType, false)
          .add("operation", DataTypes.StringType)
          .add("engine", DataTypes.StringType)
          .add("app_id", DataTypes.StringType)
          .add("user", DataTypes.StringType)
          .add("rows_added", DataTypes.LongType, false)
          .add("rows_removed", DataTypes.LongType, false)
          .add("total_rows", DataTypes.LongType, false)
          .add("total_shards", DataTypes.LongType, false)
          .add("summary", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));

  private static final StructType SHARDS =
      new StructType()
          .add("path", DataTypes.StringType, false)
          .add("format", DataTypes.StringType, false)
          .add("rows", DataTypes.LongType, false)
          .add("bytes", DataTypes.LongType, false)
          .add("crc32c", DataTypes.StringType, false)
          .add("partition", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType))
          .add("stats", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));

  private static final StructType TAGS =
      new StructType()
          .add("name", DataTypes.StringType, false)
          .add("version", DataTypes.LongType, false)
          .add("created", DataTypes.TimestampType, false)
          .add("user", DataTypes.StringType)
          .add("properties", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType));

  private final String name;
  private final Dataset dataset;
  private final Kind kind;

  MetadataTable(String name, Dataset dataset, Kind kind) {
    this.name = name;
    this.dataset = dataset;
    this.kind = kind;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public StructType schema() {
    return switch (kind) {
      case HISTORY -> HISTORY;
      case SHARDS -> SHARDS;
      case TAGS -> TAGS;
    };
  }

  @Override
  public Set<TableCapability> capabilities() {
    return EnumSet.of(TableCapability.BATCH_READ);
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
    return () -> new RowsScan(schema(), rows());
  }

  private List<Object[]> rows() {
    List<Object[]> out = new ArrayList<>();
    switch (kind) {
      case HISTORY -> {
        for (Snapshot s : dataset.history(Integer.MAX_VALUE)) {
          VersionSummary v = s.summary();
          out.add(
              new Object[] {
                s.version(),
                v.timestampMillis() * 1000,
                v.operation().id(),
                v.engine(),
                v.appId(),
                v.user(),
                v.rowsAdded(),
                v.rowsRemoved(),
                v.totalRows(),
                v.totalShards(),
                new TreeMap<>(v.properties())
              });
        }
      }
      case SHARDS -> {
        for (Shard s : dataset.latest().shards()) {
          Map<String, String> stats = new TreeMap<>();
          for (Map.Entry<String, ColumnStats> e : s.stats().entrySet()) {
            ColumnStats c = e.getValue();
            stats.put(
                e.getKey(), "min=" + c.min() + ", max=" + c.max() + ", nulls=" + c.nullCount());
          }
          out.add(
              new Object[] {
                s.path(),
                s.format().id(),
                s.rows(),
                s.bytes(),
                s.crc32cHex(),
                new TreeMap<>(s.partition()),
                stats
              });
        }
      }
      case TAGS -> {
        for (Tag t : dataset.tags()) {
          out.add(
              new Object[] {
                t.name(),
                t.version(),
                t.createdMillis() * 1000,
                t.user(),
                new TreeMap<>(t.properties())
              });
        }
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return name.toLowerCase(Locale.ROOT);
  }

  /** A scan over precomputed rows. */
  private record RowsScan(StructType schema, List<Object[]> rows)
      implements Scan, Batch, InputPartition, PartitionReaderFactory {
    @Override
    public StructType readSchema() {
      return schema;
    }

    @Override
    public Batch toBatch() {
      return this;
    }

    @Override
    public InputPartition[] planInputPartitions() {
      return new InputPartition[] {this};
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
      return this;
    }

    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
      RowsScan scan = (RowsScan) partition;
      return new PartitionReader<>() {
        private int next = -1;

        @Override
        public boolean next() {
          return ++next < scan.rows.size();
        }

        @Override
        public InternalRow get() {
          Object[] values = scan.rows.get(next).clone();
          for (int i = 0; i < values.length; i++) {
            values[i] = internal(values[i]);
          }
          return new GenericInternalRow(values);
        }

        @Override
        public void close() {}
      };
    }
  }

  private static Object internal(Object value) {
    if (value instanceof String s) {
      return UTF8String.fromString(s);
    }
    if (value instanceof Map<?, ?> m) {
      Object[] keys = new Object[m.size()];
      Object[] values = new Object[m.size()];
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        keys[i] = UTF8String.fromString(String.valueOf(e.getKey()));
        values[i] = e.getValue() == null ? null : UTF8String.fromString(e.getValue().toString());
        i++;
      }
      return new ArrayBasedMapData(new GenericArrayData(keys), new GenericArrayData(values));
    }
    return value;
  }
}
