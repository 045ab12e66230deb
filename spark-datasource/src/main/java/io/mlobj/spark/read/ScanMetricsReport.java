package io.mlobj.spark.read;

import io.mlobj.ScanMetrics;
import org.apache.spark.sql.connector.metric.CustomMetric;
import org.apache.spark.sql.connector.metric.CustomSumMetric;
import org.apache.spark.sql.connector.metric.CustomTaskMetric;

/**
 * The Spark UI metrics of a scan: shards read and skipped, bytes read, checksum time, and arrays
 * handed to Spark as {@code UnsafeArrayData} by row reads.
 */
public final class ScanMetricsReport {
  public static final String SHARDS_READ = "shardsRead";
  public static final String SHARDS_SKIPPED = "shardsSkipped";
  public static final String BYTES_READ = "bytesRead";
  public static final String CHECKSUM_MS = "checksumTimeMs";
  public static final String ARRAYS_COPIED = "arraysCopiedInBulk";

  private ScanMetricsReport() {}

  /** The metrics a scan declares. */
  public static CustomMetric[] supported() {
    return new CustomMetric[] {
      new Sum(SHARDS_READ, "shards read"),
      new Sum(SHARDS_SKIPPED, "shards skipped by statistics/partitions"),
      new Sum(BYTES_READ, "bytes read from the store"),
      new Sum(CHECKSUM_MS, "checksum time (ms)"),
      new Sum(ARRAYS_COPIED, "arrays copied in bulk (row reads)")
    };
  }

  /** Task-side values. */
  public static CustomTaskMetric[] task(ScanMetrics m) {
    return new CustomTaskMetric[] {
      value(SHARDS_READ, m.shardsRead.get()),
      value(BYTES_READ, m.bytesRead.get()),
      value(CHECKSUM_MS, m.checksumNanos.get() / 1_000_000)
    };
  }

  /** Driver-side values (planning). */
  public static CustomTaskMetric[] driver(ScanMetrics m) {
    return new CustomTaskMetric[] {value(SHARDS_SKIPPED, m.shardsSkipped.get())};
  }

  static CustomTaskMetric value(String name, long value) {
    return new CustomTaskMetric() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public long value() {
        return value;
      }
    };
  }

  /** A summed metric; public with a no-arg constructor because Spark instantiates it by name. */
  public static class Sum extends CustomSumMetric {
    private final String name;
    private final String description;

    public Sum() {
      this("unknown", "unknown");
    }

    Sum(String name, String description) {
      this.name = name;
      this.description = description;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String description() {
      return description;
    }
  }
}
