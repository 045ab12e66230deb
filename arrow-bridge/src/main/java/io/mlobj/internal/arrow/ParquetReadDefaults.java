package io.mlobj.internal.arrow;

import io.mlobj.store.ObjectStores;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.HadoopParquetConfiguration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.util.HadoopCodecs;

/**
 * Read options for parquet-mr's file reader without a fresh Hadoop configuration per file: {@code
 * ParquetFileReader.open(InputFile)} builds one each time, which parses Hadoop's XML defaults again
 * (about 4 ms warm and 29 ms cold per shard, measured through Spark's tasks), and even a copy of
 * one parsed configuration showed in scan profiles (a reader is opened per row group by the trainer
 * feed). Every reader shares one configuration, which they only read; the options themselves are
 * per reader, as their codec factory holds decompressors that are not shared between threads.
 */
public final class ParquetReadDefaults {
  private ParquetReadDefaults() {}

  /** Hadoop's parsed defaults, shared read-only by every reader. */
  private static final class Shared {
    static final ParquetConfiguration CONF =
        new HadoopParquetConfiguration(ObjectStores.hadoopConfiguration(Map.of()));
  }

  /**
   * Options for one reader. Vectored reads stay on (parquet-mr's default): {@link
   * ByteArrayInputFile} serves them with slices of the fetched bytes instead of copies. Snappy
   * pages are decompressed by {@link PageDecompressors}.
   */
  public static ParquetReadOptions options() {
    return builder().build();
  }

  /**
   * Options for a reader of part of an object fetched by range (the feed's {@code take}): every
   * page that carries a CRC (mlobj's writers, and parquet-mr's by default, write one for each data
   * and dictionary page) is checked against it, since the shard's whole-object CRC32C cannot be.
   * Pages without one are read unchecked. Whole-object reads use {@link #options()}: their bytes
   * were checked against the shard's CRC32C already, so checking pages again finds nothing new and
   * costs: measured on whole 50-200 MB tensor shards (2026-12-08, a loaded 2-core machine), page
   * CRCs added about 10% to the decode's CPU (0.87 to 0.96 s/GB for snappy uint8 images, 0.24 to
   * 0.27 for float32), where the whole-object CRC32C costs about 0.04 s/GB.
   */
  public static ParquetReadOptions checkingPageCrcs() {
    return builder().usePageChecksumVerification(true).build();
  }

  private static ParquetReadOptions.Builder builder() {
    return ParquetReadOptions.builder(Shared.CONF)
        .withUseHadoopVectoredIo(true)
        .withCodecFactory(new PageDecompressors(HadoopCodecs.newFactory(Shared.CONF, 0)));
  }
}
