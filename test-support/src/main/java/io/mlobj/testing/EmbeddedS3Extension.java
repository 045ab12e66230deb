package io.mlobj.testing;

import io.mlobj.s3server.EmbeddedS3;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that starts one {@link EmbeddedS3} per test class, on 127.0.0.1 and a free
 * port, with a bucket named {@value #BUCKET}. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();
 *
 * @Test void writes() {
 *   String uri = S3.newDatasetUri();  // s3a://mlobj-test/ds-<uuid>
 *   Map<String, String> conf = S3.conf();
 * }
 * }</pre>
 */
public final class EmbeddedS3Extension implements BeforeAllCallback, AfterAllCallback {
  /** The bucket created for every test class. */
  public static final String BUCKET = "mlobj-test";

  private final String bucket = "mlobj-test-" + UUID.randomUUID().toString().substring(0, 8);
  private EmbeddedS3 server;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = EmbeddedS3.builder().build().start().createBucket(BUCKET).createBucket(bucket);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** The running server. */
  public EmbeddedS3 server() {
    if (server == null) {
      throw new IllegalStateException(
          "Cannot use the embedded S3 server: it is not started. Register the extension on a"
              + " static field with @RegisterExtension.");
    }
    return server;
  }

  /** The {@code fs.s3a.*} settings pointing at the server. */
  public Map<String, String> conf() {
    return server().hadoopConf();
  }

  /**
   * This extension's own bucket (also created): unique per test class, so Hadoop's FileSystem
   * cache, which is keyed by bucket and ignores the endpoint, never hands a test class an s3a
   * client of an earlier class's (stopped) server.
   */
  public String bucket() {
    return bucket;
  }

  /** A fresh dataset location in this extension's bucket, unique per call. */
  public String newDatasetUri() {
    return "s3a://" + bucket + "/ds-" + UUID.randomUUID();
  }
}
