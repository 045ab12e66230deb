package io.mlobj.flink.table;

import io.mlobj.flink.source.StartPosition;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The options of the {@code 'connector' = 'mlobj'} SQL connector. Besides these, the connector
 * accepts {@code fs.s3a.*} and {@code mlobj.*} storage settings (passed to the kernel as they are;
 * also read from the job configuration, where DDL values win) and per-column tensor options {@code
 * tensor.<column>.shape} / {@code tensor.<column>.type}.
 */
public final class MlobjOptions {
  private MlobjOptions() {}

  /** Prefix of storage settings passed through to the kernel. */
  public static final String S3A_PREFIX = "fs.s3a.";

  /** Prefix of mlobj's own settings passed through to the kernel. */
  public static final String MLOBJ_PREFIX = "mlobj.";

  /** Prefix of per-column tensor options. */
  public static final String TENSOR_PREFIX = "tensor.";

  public static final ConfigOption<String> PATH =
      ConfigOptions.key("path")
          .stringType()
          .noDefaultValue()
          .withDescription("The dataset URI, e.g. s3a://bucket/datasets/images. Required.");

  public static final ConfigOption<Long> VERSION =
      ConfigOptions.key("version")
          .longType()
          .noDefaultValue()
          .withDescription("Bounded read of this dataset version (default: the latest).");

  public static final ConfigOption<String> TAG =
      ConfigOptions.key("tag")
          .stringType()
          .noDefaultValue()
          .withDescription("Bounded read of the version this tag points to.");

  public static final ConfigOption<String> TIMESTAMP =
      ConfigOptions.key("timestamp")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Bounded read of the latest version committed at or before this time: epoch"
                  + " milliseconds or an ISO time such as 2026-11-24T10:15:00Z.");

  public static final ConfigOption<Boolean> CONTINUOUS =
      ConfigOptions.key("continuous")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Read continuously: after the start snapshot, read the shards each new version"
                  + " adds (appends and overwrites; compactions and rollbacks add nothing).");

  public static final ConfigOption<Duration> DISCOVERY_INTERVAL =
      ConfigOptions.key("continuous.discovery-interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription("How often a continuous read looks for new versions.");

  public static final ConfigOption<StartPosition> START =
      ConfigOptions.key("continuous.start")
          .enumType(StartPosition.class)
          .defaultValue(StartPosition.EARLIEST)
          .withDescription(
              "Where a continuous read starts: EARLIEST (all shards of the latest version, then"
                  + " new ones), LATEST (only versions committed after the start) or VERSION"
                  + " (all shards of 'continuous.start-version', then new ones).");

  public static final ConfigOption<Long> START_VERSION =
      ConfigOptions.key("continuous.start-version")
          .longType()
          .noDefaultValue()
          .withDescription(
              "The version a continuous read starts at with 'continuous.start' = 'VERSION'.");

  public static final ConfigOption<Integer> READ_BATCH_ROWS =
      ConfigOptions.key("read.batch-rows")
          .intType()
          .defaultValue(8192)
          .withDescription("Maximum rows per Arrow batch read from a shard.");

  public static final ConfigOption<Long> READ_SPLIT_ROWS =
      ConfigOptions.key("read.split-rows")
          .longType()
          .noDefaultValue()
          .withDescription(
              "Split shards with more rows than this at row-group boundaries (default: one split"
                  + " per shard).");

  public static final ConfigOption<Boolean> VERIFY_CHECKSUMS =
      ConfigOptions.key("read.verify-checksums")
          .booleanType()
          .defaultValue(true)
          .withDescription("Verify each shard's CRC32C while reading.");

  public static final ConfigOption<String> FORMAT =
      ConfigOptions.key("write.format")
          .stringType()
          .defaultValue("parquet")
          .withDescription("Shard format the sink writes: parquet or arrow.");

  public static final ConfigOption<String> COMPRESSION =
      ConfigOptions.key("write.compression")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Shard compression: snappy, zstd, none (Parquet; default snappy) or lz4, zstd, none"
                  + " (Arrow).");

  public static final ConfigOption<String> TARGET_SHARD_SIZE =
      ConfigOptions.key("write.target-shard-size")
          .stringType()
          .defaultValue("128m")
          .withDescription("Roll shards at about this size, e.g. 64m or 1g.");

  public static final ConfigOption<Integer> WRITE_BATCH_ROWS =
      ConfigOptions.key("write.batch-rows")
          .intType()
          .defaultValue(1024)
          .withDescription("Rows buffered per Arrow batch before it is encoded.");

  public static final ConfigOption<String> SINK_ID =
      ConfigOptions.key("sink.id")
          .stringType()
          .defaultValue("mlobj-sql-sink")
          .withDescription(
              "A name for the sink that stays the same across restarts; part of the idempotency"
                  + " key of its commits. Two sinks writing one dataset need different ids.");
}
