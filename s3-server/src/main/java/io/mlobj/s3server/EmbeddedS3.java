package io.mlobj.s3server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * A real S3 protocol server (S3Proxy with its filesystem backend) running in this JVM on 127.0.0.1.
 * Used by the tests, the quickstart and {@code mlobj s3 serve}.
 *
 * <pre>{@code
 * try (EmbeddedS3 s3 = EmbeddedS3.builder().build().start()) {
 *   s3.createBucket("training");
 *   Map<String, String> conf = s3.hadoopConf(); // fs.s3a.* keys for mlobj, Spark and Flink
 * }
 * }</pre>
 *
 * <p>The server is closed by {@link #close()}; a temporary data directory created by the builder is
 * deleted then as well.
 */
public final class EmbeddedS3 implements AutoCloseable {
  private final Path dataDir;
  private final boolean deleteDataDirOnClose;
  private final String host;
  private final int requestedPort;
  private final String accessKey;
  private final String secretKey;
  private S3Proxy proxy;
  private BlobStore blobStore;

  private EmbeddedS3(Builder builder) {
    this.dataDir = builder.dataDir;
    this.deleteDataDirOnClose = builder.deleteDataDirOnClose;
    this.host = builder.host;
    this.requestedPort = builder.port;
    this.accessKey = builder.accessKey;
    this.secretKey = builder.secretKey;
  }

  /** Returns a builder; by default: a temporary directory, 127.0.0.1, a free port, random keys. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts the server and waits until it accepts connections. */
  public EmbeddedS3 start() {
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", dataDir.toString());
    blobStore = BlobStores.create("filesystem", properties);
    proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(URI.create("http://" + host + ":" + requestedPort))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
            .ignoreUnknownHeaders(true)
            .build();
    try {
      proxy.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!"STARTED".equals(proxy.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Cannot start the embedded S3 server on " + host + ": state " + proxy.getState());
        }
        Thread.sleep(5);
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(
          "Cannot start the embedded S3 server on " + host + ":" + requestedPort + ": " + e, e);
    }
    return this;
  }

  /** Creates a bucket (a directory under the data directory); a no-op if it exists. */
  public EmbeddedS3 createBucket(String bucket) {
    try {
      Files.createDirectories(dataDir.resolve(bucket));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create bucket " + bucket, e);
    }
    return this;
  }

  /** The endpoint URL, e.g. {@code http://127.0.0.1:41234}. */
  public String endpoint() {
    return "http://" + host + ":" + port();
  }

  /** The bound port. */
  public int port() {
    return proxy.getPort();
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  /** The directory holding the buckets. */
  public Path dataDir() {
    return dataDir;
  }

  /** The Hadoop {@code fs.s3a.*} settings that point s3a, mlobj, Spark and Flink here. */
  public Map<String, String> hadoopConf() {
    return hadoopConf(endpoint());
  }

  /** Like {@link #hadoopConf()}, with another endpoint (e.g. a fault-injecting proxy). */
  public Map<String, String> hadoopConf(String endpointUrl) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("fs.s3a.endpoint", endpointUrl);
    conf.put("fs.s3a.endpoint.region", "us-east-1");
    conf.put("fs.s3a.path.style.access", "true");
    conf.put("fs.s3a.connection.ssl.enabled", "false");
    conf.put("fs.s3a.access.key", accessKey);
    conf.put("fs.s3a.secret.key", secretKey);
    conf.put(
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    return conf;
  }

  @Override
  public void close() {
    try {
      if (proxy != null) {
        proxy.stop();
      }
    } catch (Exception e) {
      throw new IllegalStateException("Cannot stop the embedded S3 server: " + e, e);
    } finally {
      proxy = null;
      if (deleteDataDirOnClose) {
        deleteRecursively(dataDir);
      }
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + dir, e);
    }
  }

  /** Configures an {@link EmbeddedS3}. */
  public static final class Builder {
    private Path dataDir;
    private boolean deleteDataDirOnClose;
    private String host = "127.0.0.1";
    private int port = 0;
    private String accessKey;
    private String secretKey;

    /** Keeps the buckets in this directory (kept on close). Default: a temporary directory. */
    public Builder dataDir(Path dir) {
      this.dataDir = dir;
      return this;
    }

    /** The address to bind; 127.0.0.1 unless told otherwise. */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** The port to bind; 0 picks a free one. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Fixed credentials; random ones are generated otherwise. */
    public Builder credentials(String accessKey, String secretKey) {
      this.accessKey = accessKey;
      this.secretKey = secretKey;
      return this;
    }

    /** Validates the settings and builds a server that is not started yet. */
    public EmbeddedS3 build() {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(
            "Cannot configure the embedded S3 server: port " + port + " is not in 0..65535.");
      }
      if ((accessKey == null) != (secretKey == null)) {
        throw new IllegalArgumentException(
            "Cannot configure the embedded S3 server: give both access and secret key, or"
                + " neither to generate them.");
      }
      if (accessKey == null) {
        accessKey = "mlobj-" + randomHex(6);
        secretKey = randomHex(20);
      }
      if (dataDir == null) {
        try {
          dataDir = Files.createTempDirectory("mlobj-s3-");
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot create a temporary directory for S3 data", e);
        }
        deleteDataDirOnClose = true;
      } else {
        try {
          Files.createDirectories(dataDir);
        } catch (IOException e) {
          throw new UncheckedIOException("Cannot create the S3 data directory " + dataDir, e);
        }
      }
      return new EmbeddedS3(this);
    }

    private static String randomHex(int bytes) {
      byte[] buffer = new byte[bytes];
      new SecureRandom().nextBytes(buffer);
      return HexFormat.of().formatHex(buffer);
    }
  }
}
