package io.mlobj.internal.arrow;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.HadoopParquetConfiguration;

/**
 * Read options for parquet-mr's file reader without a fresh Hadoop {@link Configuration} per file:
 * {@code ParquetFileReader.open(InputFile)} builds one each time, which parses Hadoop's XML
 * defaults again (about 4 ms warm and 29 ms cold per shard, measured through Spark's tasks). A copy
 * of one parsed configuration costs a fraction of a millisecond and behaves the same.
 */
public final class ParquetReadDefaults {
  private static final Configuration PARSED = parsed();

  private ParquetReadDefaults() {}

  private static Configuration parsed() {
    Configuration conf = new Configuration();
    conf.size(); // parse the default resources now, once
    return conf;
  }

  /** A copy of Hadoop's default configuration, parsed once per JVM (callers may change it). */
  public static Configuration configuration() {
    return new Configuration(PARSED);
  }

  /** Options for one reader (each reader gets its own copy: readers may change their options). */
  public static ParquetReadOptions options() {
    return ParquetReadOptions.builder(new HadoopParquetConfiguration(configuration())).build();
  }
}
