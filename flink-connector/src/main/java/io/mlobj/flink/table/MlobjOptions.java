package io.mlobj.flink.table;

import io.mlobj.Setting;
import io.mlobj.Settings;
import io.mlobj.flink.source.StartPosition;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The options of the {@code 'connector' = 'mlobj'} SQL connector. Besides these, the connector
 * accepts the storage settings of {@link Settings#isStorageKey} ({@code fs.*}, e.g. {@code
 * fs.s3a.endpoint} or {@code fs.defaultFS}, and {@code mlobj.*}; passed to the kernel as they are;
 * also read from the job configuration, where DDL values win) and per-column tensor options {@code
 * tensor.<column>.shape} / {@code tensor.<column>.type}. Writer options take their defaults and
 * descriptions from the kernel's settings catalog ({@link Settings}).
 */
public final class MlobjOptions {
  private MlobjOptions() {}

  /** Prefixes of keys passed through without Flink's validation: storage and tensor options. */
  static final String[] PASS_THROUGH = {
    Settings.FS_PREFIX,
    Settings.MLOBJ_PREFIX,
    Settings.TENSOR_PREFIX,
    "tensorShape.",
    "tensorElement."
  };

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

  public static final ConfigOption<String> FORMAT = fromCatalog("write.format", Settings.FORMAT);

  public static final ConfigOption<String> COMPRESSION =
      fromCatalog("write.compression", Settings.COMPRESSION);

  public static final ConfigOption<String> TARGET_SHARD_SIZE =
      fromCatalog("write.target-shard-size", Settings.TARGET_SHARD_SIZE);

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

  /** A string option whose default and description come from the kernel's settings catalog. */
  private static ConfigOption<String> fromCatalog(String key, Setting setting) {
    if (!setting.matches(key)) {
      throw new IllegalStateException(key + " is not a spelling of " + setting.name());
    }
    ConfigOptions.TypedConfigOptionBuilder<String> builder = ConfigOptions.key(key).stringType();
    ConfigOption<String> option =
        setting.defaultValue() == null
            ? builder.noDefaultValue()
            : builder.defaultValue(setting.defaultValue());
    return option.withDescription(setting.doc().replace("`", "'"));
  }
}
