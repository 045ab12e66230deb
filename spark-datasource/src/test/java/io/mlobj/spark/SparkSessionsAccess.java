package io.mlobj.spark;

import io.mlobj.testing.EmbeddedS3Extension;
import org.apache.spark.sql.SparkSession;

/** {@link SparkSessions} for tests in sub-packages. */
public final class SparkSessionsAccess {
  private SparkSessionsAccess() {}

  public static void stop(SparkSession spark) {
    SparkSessions.stop(spark);
  }

  public static SparkSession start(EmbeddedS3Extension s3) {
    return SparkSessions.start(s3);
  }
}
