package io.mlobj.spark;

import io.mlobj.testing.EmbeddedS3Extension;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An embedded S3 server and one local Spark session ({@code local[2]}) pointed at it, per test
 * class: the server starts first, the session is stopped first (with Hadoop's FileSystem cache
 * emptied, see {@link SparkSessions#stop}). Register only this extension; the server is reached
 * through {@link #s3()}.
 *
 * <pre>{@code
 * @RegisterExtension static final SparkExtension SPARK = new SparkExtension();
 * static final EmbeddedS3Extension S3 = SPARK.s3();
 * ... SPARK.session().read().format("mlobj").load(S3.newDatasetUri()) ...
 * }</pre>
 */
public final class SparkExtension implements BeforeAllCallback, AfterAllCallback {
  private final EmbeddedS3Extension s3 = new EmbeddedS3Extension();
  private SparkSession spark;

  /** The class's S3 server (started before the session). */
  public EmbeddedS3Extension s3() {
    return s3;
  }

  /** The class's session. */
  public SparkSession session() {
    if (spark == null) {
      throw new IllegalStateException(
          "Cannot use the test Spark session: it is not started. Register SparkExtension on a"
              + " static field with @RegisterExtension.");
    }
    return spark;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    s3.beforeAll(context);
    spark = SparkSessions.start(s3);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      SparkSessions.stop(spark);
      spark = null;
    } finally {
      s3.afterAll(context);
    }
  }
}
