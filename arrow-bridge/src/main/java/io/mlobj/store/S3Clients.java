package io.mlobj.store;

import io.mlobj.MlobjConf;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * Builds and caches S3 clients from {@code fs.s3a.*} settings. Clients are expensive (connection
 * pools, threads) and thread-safe, so one per distinct setting is shared for the life of the JVM.
 */
final class S3Clients {
  /** The S3A keys that shape a client; per-bucket overrides are resolved before lookup. */
  private static final List<String> KEYS =
      List.of(
          "fs.s3a.endpoint",
          "fs.s3a.endpoint.region",
          "fs.s3a.path.style.access",
          "fs.s3a.connection.ssl.enabled",
          "fs.s3a.access.key",
          "fs.s3a.secret.key",
          "fs.s3a.session.token",
          "fs.s3a.connection.maximum",
          S3Settings.MAX_ERROR_RETRIES,
          S3Settings.RETRY_LIMIT,
          S3Settings.ESTABLISH_TIMEOUT,
          S3Settings.SOCKET_TIMEOUT,
          S3Settings.REQUEST_TIMEOUT);

  private static final Map<Map<String, String>, S3Client> CLIENTS = new ConcurrentHashMap<>();
  private static volatile ExecutorService partExecutor;

  private S3Clients() {}

  static S3Client client(String bucket, MlobjConf conf) {
    return CLIENTS.computeIfAbsent(effective(bucket, conf), S3Clients::build);
  }

  /** The timeout and retry settings a client for this bucket uses. */
  static S3Settings settings(String bucket, MlobjConf conf) {
    return S3Settings.from(effective(bucket, conf));
  }

  private static Map<String, String> effective(String bucket, MlobjConf conf) {
    Map<String, String> effective = new java.util.TreeMap<>();
    for (String key : KEYS) {
      String value = conf.s3a(bucket, key);
      if (value != null) {
        effective.put(key, value);
      }
    }
    return Map.copyOf(effective);
  }

  private static S3Client build(Map<String, String> s) {
    boolean ssl =
        !"false".equalsIgnoreCase(s.getOrDefault("fs.s3a.connection.ssl.enabled", "true"));
    String region = s.getOrDefault("fs.s3a.endpoint.region", "us-east-1");
    int maxConnections = Integer.parseInt(s.getOrDefault("fs.s3a.connection.maximum", "96"));
    S3Settings settings = S3Settings.from(s);
    var http =
        ApacheHttpClient.builder()
            .maxConnections(Math.max(maxConnections, 16))
            .connectionTimeout(settings.establishTimeout())
            .socketTimeout(settings.socketTimeout());
    ClientOverrideConfiguration.Builder override =
        ClientOverrideConfiguration.builder()
            .retryStrategy(b -> b.maxAttempts(settings.attempts()));
    if (!settings.requestTimeout().isZero()) {
      override.apiCallAttemptTimeout(settings.requestTimeout());
    }
    var builder =
        S3Client.builder()
            .region(Region.of(region))
            .httpClientBuilder(http)
            .credentialsProvider(credentials(s))
            .serviceConfiguration(
                S3Configuration.builder()
                    .pathStyleAccessEnabled(
                        Boolean.parseBoolean(s.getOrDefault("fs.s3a.path.style.access", "false")))
                    .chunkedEncodingEnabled(true)
                    .build())
            .overrideConfiguration(override.build());
    String endpoint = s.get("fs.s3a.endpoint");
    if (endpoint != null && !endpoint.isBlank()) {
      String url = endpoint.contains("://") ? endpoint : (ssl ? "https://" : "http://") + endpoint;
      builder.endpointOverride(URI.create(url));
    }
    // Checksums: mlobj keeps its own CRC32C per shard; avoid SDK trailing checksums, which some
    // S3-compatible servers reject.
    builder.requestChecksumCalculation(
        software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED);
    builder.responseChecksumValidation(
        software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED);
    return builder.build();
  }

  private static AwsCredentialsProvider credentials(Map<String, String> s) {
    String access = s.get("fs.s3a.access.key");
    String secret = s.get("fs.s3a.secret.key");
    if (access == null || secret == null) {
      return DefaultCredentialsProvider.builder().build();
    }
    String token = s.get("fs.s3a.session.token");
    return StaticCredentialsProvider.create(
        token == null
            ? AwsBasicCredentials.create(access, secret)
            : AwsSessionCredentials.create(access, secret, token));
  }

  /** Daemon threads for ranged reads and multipart parts; never used for nested waits. */
  static ExecutorService partExecutor() {
    if (partExecutor == null) {
      synchronized (S3Clients.class) {
        if (partExecutor == null) {
          AtomicInteger n = new AtomicInteger();
          partExecutor =
              Executors.newFixedThreadPool(
                  Math.max(16, Runtime.getRuntime().availableProcessors() * 4),
                  r -> {
                    Thread t = new Thread(r, "mlobj-s3-io-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                  });
        }
      }
    }
    return partExecutor;
  }
}
