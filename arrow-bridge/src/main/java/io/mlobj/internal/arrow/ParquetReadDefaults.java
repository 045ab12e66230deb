package io.mlobj.internal.arrow;

import io.mlobj.store.ObjectStores;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.HadoopParquetConfiguration;

/**
 * Read options for parquet-mr's file reader without a fresh Hadoop configuration per file: {@code
 * ParquetFileReader.open(InputFile)} builds one each time, which parses Hadoop's XML defaults again
 * (about 4 ms warm and 29 ms cold per shard, measured through Spark's tasks). A copy of one parsed
 * configuration ({@link ObjectStores#hadoopConfiguration}) costs a fraction of a millisecond and
 * behaves the same.
 */
public final class ParquetReadDefaults {
  private ParquetReadDefaults() {}

  /** Options for one reader (each reader gets its own copy: readers may change their options). */
  public static ParquetReadOptions options() {
    return ParquetReadOptions.builder(
            new HadoopParquetConfiguration(ObjectStores.hadoopConfiguration(Map.of())))
        .build();
  }
}
