package io.mlobj.spark;

import io.mlobj.testing.EmbeddedS3Extension;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** One local Spark session per test class, pointed at the embedded S3 server. */
final class SparkSessions {
  private SparkSessions() {}

  static SparkSession.Builder builder(EmbeddedS3Extension s3, String master) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .master(master)
            .appName("mlobj-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.session.timeZone", "UTC");
    for (Map.Entry<String, String> e : s3.conf().entrySet()) {
      builder.config("spark.hadoop." + e.getKey(), e.getValue());
    }
    return builder;
  }

  /**
   * Stops the session and empties Hadoop's FileSystem cache: the next test class starts another S3
   * server (another port) for the same bucket, and a cached s3a client would still point here.
   */
  static void stop(SparkSession spark) {
    if (spark != null) {
      spark.stop();
    }
    try {
      org.apache.hadoop.fs.FileSystem.closeAll();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static SparkSession start(EmbeddedS3Extension s3) {
    return builder(s3, "local[2]").getOrCreate();
  }
}
